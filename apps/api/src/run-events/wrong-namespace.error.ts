import { EVENTS_NAMESPACE } from './events-namespace';

const MESSAGE =
  `Connect to the ${EVENTS_NAMESPACE} namespace (io("<api url>${EVENTS_NAMESPACE}", ` +
  '{ auth: { token } })); the default namespace / accepts no connections.';

/** The handshake's answer on any namespace but /events: the client gets connect_error saying so. */
export class WrongNamespaceError extends Error {
  readonly data = { code: 'wrong_namespace', message: MESSAGE };

  constructor() {
    super(MESSAGE);
  }
}
