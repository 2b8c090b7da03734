import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { UnauthorizedError } from '@bulkhead/errors';
import { KeyOwners } from './key-owners';
import { AuthenticatedRequest, bearerTokenOf } from './authenticated-request';

/** Tenant routes: resolves the Bearer API key to its tenant, or answers 401. Checked on every request. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly owners: KeyOwners) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    if (!token) {
      throw new UnauthorizedError();
    }
    const owner = await this.owners.resolve(token);
    if (!owner) {
      throw new UnauthorizedError('This API key is unknown or has been revoked.');
    }
    request.bulkheadOwner = owner;
    return true;
  }
}
