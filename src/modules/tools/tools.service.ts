import {
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  Optional,
} from '@nestjs/common';
import { DecryptionError, EncryptionUnavailableError, SecretBox } from '../../common/crypto';
import { AppException, ErrorCode } from '../../common/errors';
import { newId } from '../../common/ids/new-id';
import type { Page, PageRequest } from '../../common/pagination';
import { BackgroundReseal } from '../../infra/document-store/background-reseal';
import { resealColumn, type ResealReport } from '../../infra/document-store/reseal';
import { ConfigChangeBus } from '../config-watcher';
import type { CreateToolDto } from './dto/create-tool.dto';
import type { UpdateToolDto } from './dto/update-tool.dto';
import { parametersProblem } from './tool-parameters';
import {
  DEFAULT_TOOL_PARAMETERS,
  DEFAULT_TOOL_TIMEOUT_MS,
  TOOL_ID_PREFIX,
  toolHeadersContext,
  type ExecutableTool,
  type StoredTool,
  type StoredToolFields,
  type Tool,
} from './tool.types';
import { ToolsRepository } from './tools.repository';

/**
 * Stored tools: validation beyond the DTO (the JSON Schema must compile), header sealing, and
 * the views: clear header values only ever leave through `getMany`, for the executor.
 */
@Injectable()
export class ToolsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly rotation = new BackgroundReseal('tool headers', new Logger(ToolsService.name));

  constructor(
    private readonly repo: ToolsRepository,
    private readonly box: SecretBox,
    /** Writes are announced so cached copies (here and on other instances) drop them. */
    @Optional() private readonly changes?: ConfigChangeBus,
  ) {}

  /** With older keys configured, moves every sealed value to the current key. */
  onApplicationBootstrap(): void {
    if (this.box.canEncrypt && this.box.hasPreviousKeys)
      this.rotation.start(() => this.reencryptAll());
  }

  async onModuleDestroy(): Promise<void> {
    await this.rotation.finished();
  }

  async create(orgId: string, dto: CreateToolDto): Promise<Tool> {
    const parameters = dto.parameters ?? DEFAULT_TOOL_PARAMETERS;
    assertParameters(parameters);
    const id = newId(TOOL_ID_PREFIX);
    const fields: StoredToolFields = {
      name: dto.name,
      description: dto.description ?? '',
      parameters,
      url: dto.url,
      method: dto.method ?? 'POST',
      timeout_ms: dto.timeout_ms ?? DEFAULT_TOOL_TIMEOUT_MS,
      ...this.sealHeaders(orgId, id, dto.headers ?? {}),
    };
    const created = await this.repo.create(orgId, fields, id);
    await this.announce(orgId, id, 'upsert');
    return toView(created);
  }

  async get(orgId: string, id: string): Promise<Tool> {
    return toView(await this.found(orgId, id));
  }

  async list(orgId: string, page: PageRequest): Promise<Page<Tool>> {
    const res = await this.repo.list(orgId, page);
    return { items: res.items.map(toView), next_cursor: res.next_cursor };
  }

  async update(orgId: string, id: string, dto: UpdateToolDto): Promise<Tool> {
    if (dto.parameters !== undefined) assertParameters(dto.parameters);
    const { headers, ...rest } = dto;
    const patch: Partial<StoredToolFields> = {
      ...rest,
      ...(headers === undefined ? {} : this.sealHeaders(orgId, id, headers)),
    };
    const updated = await this.repo.update(orgId, id, patch);
    if (!updated) throw notFound(id);
    await this.announce(orgId, id, 'upsert');
    return toView(updated);
  }

  async delete(orgId: string, id: string): Promise<void> {
    if (!(await this.repo.delete(orgId, id))) throw notFound(id);
    await this.announce(orgId, id, 'delete');
  }

  /**
   * The tools to run, in the order asked, with their headers decrypted: for the tool
   * executor only, never for a response. NOT_FOUND (naming them) when some id is not a tool
   * of the org, e.g. one deleted after an agent listed it.
   */
  async getMany(orgId: string, ids: string[]): Promise<ExecutableTool[]> {
    const unique = [...new Set(ids)];
    const byId = new Map((await this.repo.getMany(orgId, unique)).map((t) => [t.id, t]));
    const missing = unique.filter((id) => !byId.has(id));
    if (missing.length > 0) {
      throw new AppException(ErrorCode.NOT_FOUND, `Tool(s) not found: ${missing.join(', ')}`, {
        details: { missing },
      });
    }
    return unique.map((id) => {
      const t = byId.get(id)!;
      return { ...toView(t), headers: this.openHeaders(t), version: t.updated_at.toISOString() };
    });
  }

  /** The ids among `ids` that are not tools of the org (agents check their tool_ids with it). */
  async missing(orgId: string, ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    const found = new Set((await this.repo.getMany(orgId, unique)).map((t) => t.id));
    return unique.filter((id) => !found.has(id));
  }

  /** Re-encrypts every tool's headers still sealed with a previous key (key rotation). */
  reencryptAll(): Promise<ResealReport> {
    return resealColumn(this.repo, this.box, (v) => toolHeadersContext(v.org_id, v.id));
  }

  private async announce(orgId: string, id: string, op: 'upsert' | 'delete'): Promise<void> {
    await this.changes?.announce({ kind: 'tool', org_id: orgId, id, op });
  }

  private sealHeaders(
    orgId: string,
    id: string,
    headers: Record<string, string>,
  ): Pick<StoredToolFields, 'headers_sealed' | 'header_names'> {
    const names = Object.keys(headers);
    if (names.length === 0) return { headers_sealed: null, header_names: [] };
    try {
      return {
        headers_sealed: this.box.encrypt(JSON.stringify(headers), toolHeadersContext(orgId, id)),
        header_names: names,
      };
    } catch (e) {
      if (e instanceof EncryptionUnavailableError) {
        throw new AppException(
          ErrorCode.SERVICE_UNAVAILABLE,
          'Tool headers cannot be stored: the gateway has no ENCRYPTION_KEY configured',
        );
      }
      throw e;
    }
  }

  private openHeaders(t: StoredTool): Record<string, string> {
    if (t.headers_sealed === null) return {};
    try {
      return JSON.parse(
        this.box.decrypt(t.headers_sealed, toolHeadersContext(t.org_id, t.id)),
      ) as Record<string, string>;
    } catch (e) {
      if (e instanceof DecryptionError) {
        throw new AppException(
          ErrorCode.INTERNAL,
          `Headers of tool ${t.name} cannot be decrypted: was ENCRYPTION_KEY changed without listing the old key in ENCRYPTION_KEY_PREVIOUS?`,
          { cause: e },
        );
      }
      throw e;
    }
  }

  private async found(orgId: string, id: string): Promise<StoredTool> {
    const t = await this.repo.get(orgId, id);
    if (!t) throw notFound(id);
    return t;
  }
}

function toView(t: StoredTool): Tool {
  const { headers_sealed: _sealed, ...view } = t;
  return view;
}

function assertParameters(schema: Record<string, unknown>): void {
  const problem = parametersProblem(schema);
  if (problem) {
    throw new AppException(ErrorCode.VALIDATION_FAILED, problem, { param: 'parameters' });
  }
}

const notFound = (id: string) => new AppException(ErrorCode.NOT_FOUND, `Tool ${id} not found`);
