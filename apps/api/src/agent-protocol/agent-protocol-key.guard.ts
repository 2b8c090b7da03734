import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { UnauthorizedError } from '@bulkhead/errors';
import { KeyOwner } from '@bulkhead/store';
import { KeyOwners } from '../auth/key-owners';
import { AuthenticatedRequest, bearerTokenOf } from '../auth/authenticated-request';

/**
 * The Agent Protocol routes (/lg): the tenant's API key as LangGraph's SDK sends it, `x-api-key`, or
 * as `Authorization: Bearer`. The tenant comes only from the key; a key that is not Bulkhead's (a
 * LangSmith key the SDK picked up from the environment) is refused without being echoed or logged.
 */
@Injectable()
export class AgentProtocolKeyGuard implements CanActivate {
  constructor(private readonly owners: KeyOwners) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // The SDK sends LANGSMITH_API_KEY as x-api-key when it was given no apiKey: a Bearer key
    // beside a foreign x-api-key is still tried.
    const tokens = [apiKeyOf(request.headers), bearerTokenOf(request.headers.authorization)].filter(
      (token): token is string => token !== undefined,
    );
    if (tokens.length === 0) {
      throw new UnauthorizedError(
        'Send the tenant\'s API key as "x-api-key: <key>" (the LangGraph SDK\'s apiKey) or "Authorization: Bearer <key>".',
      );
    }
    const owner = await this.firstOwner(tokens);
    if (!owner) {
      throw new UnauthorizedError(
        "This API key is unknown or has been revoked (a Bulkhead key starts with bk_; check that the SDK was not given another service's key from LANGSMITH_API_KEY or LANGGRAPH_API_KEY).",
      );
    }
    request.bulkheadOwner = owner;
    return true;
  }

  private async firstOwner(tokens: readonly string[]): Promise<KeyOwner | undefined> {
    for (const token of tokens) {
      const owner = await this.owners.resolve(token);
      if (owner) {
        return owner;
      }
    }
    return undefined;
  }
}

function apiKeyOf(headers: AuthenticatedRequest['headers']): string | undefined {
  const value = headers['x-api-key'];
  const key = Array.isArray(value) ? value[0] : value;
  return key?.trim() || undefined;
}
