import { Injectable } from '@nestjs/common';
import type { Principal } from '../../../common/auth/principal';
import { AppException, ErrorCode } from '../../../common/errors';
import type { Page, PageRequest } from '../../../common/pagination';
import { generateApiKeySecret } from './api-key-secret';
import type { ApiKey, ApiKeyFields } from './api-key.types';
import { ApiKeysRepository } from './api-keys.repository';
import type { CreateApiKeyDto, UpdateApiKeyDto } from './dto/api-key.dto';
import { ApiKeyInvalidationBus } from './invalidation/api-key-invalidation.bus';
import { assertGrantable, assertOwnUserId } from './scope-grant';

export interface CreatedApiKey {
  key: ApiKey;
  /** The full key: returned to the creator once, never stored or logged. */
  secret: string;
}

/**
 * Management of an org's API keys. A key carries only scopes its creator holds and never a
 * deployment-wide one, and acts as its creator (see scope-grant.ts). Every change that could
 * make a cached key wrong (edit, revoke, delete) is announced on the invalidation bus after the
 * store write succeeds.
 */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly repo: ApiKeysRepository,
    private readonly bus: ApiKeyInvalidationBus,
  ) {}

  async create(caller: Principal, dto: CreateApiKeyDto): Promise<CreatedApiKey> {
    assertOwnUserId(caller, dto.user_id);
    const scopes = unique(dto.scopes ?? []);
    assertGrantable(caller, scopes);
    const { secret, hash, prefix } = generateApiKeySecret();
    const key = await this.repo.create(caller.orgId, {
      name: dto.name,
      user_id: caller.userId,
      prefix,
      key_hash: hash,
      scopes,
      rate_limit: dto.rate_limit ? { per_minute: dto.rate_limit.per_minute } : null,
      expires_at: futureDate(dto.expires_at),
      revoked_at: null,
      last_used_at: null,
      created_by: caller.userId,
    });
    return { key, secret };
  }

  list(orgId: string, page: PageRequest): Promise<Page<ApiKey>> {
    return this.repo.list(orgId, page);
  }

  async get(orgId: string, id: string): Promise<ApiKey> {
    return found(await this.repo.get(orgId, id), id);
  }

  async update(caller: Principal, id: string, dto: UpdateApiKeyDto): Promise<ApiKey> {
    const orgId = caller.orgId;
    const patch: Partial<ApiKeyFields> = {};
    if (dto.name !== undefined) patch.name = dto.name;
    if (dto.scopes !== undefined) patch.scopes = unique(dto.scopes);
    if (dto.rate_limit !== undefined) {
      patch.rate_limit = dto.rate_limit ? { per_minute: dto.rate_limit.per_minute } : null;
    }
    if (dto.expires_at !== undefined) patch.expires_at = futureDate(dto.expires_at);
    const current = await this.get(orgId, id);
    if (Object.keys(patch).length === 0) return current;
    // The grant after the edit must be one the caller could make. The checked scopes are written
    // back with the edit, so a concurrent change cannot slip a wider grant under this one.
    patch.scopes ??= current.scopes;
    assertGrantable(caller, patch.scopes);
    const key = found(await this.repo.update(orgId, id, patch), id);
    await this.bus.publish(id);
    return key;
  }

  /** Idempotent: revoking a revoked key keeps its first revocation time. */
  async revoke(orgId: string, id: string): Promise<ApiKey> {
    const current = await this.get(orgId, id);
    if (current.revoked_at !== null) return current;
    const key = found(await this.repo.update(orgId, id, { revoked_at: new Date() }), id);
    await this.bus.publish(id);
    return key;
  }

  async delete(orgId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(orgId, id))) throw notFound(id);
    await this.bus.publish(id);
  }
}

function found(key: ApiKey | undefined, id: string): ApiKey {
  if (!key) throw notFound(id);
  return key;
}

function notFound(id: string): AppException {
  return new AppException(ErrorCode.NOT_FOUND, `API key ${id} not found`);
}

function unique(scopes: string[]): string[] {
  return [...new Set(scopes)];
}

function futureDate(iso: string | null | undefined): Date | null {
  if (iso === undefined || iso === null) return null;
  const at = new Date(iso);
  if (at.getTime() <= Date.now()) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, 'expires_at must be in the future', {
      param: 'expires_at',
    });
  }
  return at;
}
