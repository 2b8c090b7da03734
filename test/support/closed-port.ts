import { freePort } from '../../scripts/local-redis';

/** The URL of a port on 127.0.0.1 that was free a moment ago and has nothing listening now. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}
