import { Inject, Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { AppException, ErrorCode, isStoreUnavailable } from '../../../common/errors';
import { storesConfig } from '../../../config';
import { AgentsService, type Agent } from '../../agents';
import { GroupCommit } from '../../../common/batching/group-commit';
import {
  CallLogsService,
  ConversationsService,
  type ConversationMessage,
  type ConversationMessageInput,
  type NewCallLog,
} from '../../conversations';
import { UsageRowWriter, type UsageRecord } from '../../metrics';
import { ReadThroughCache } from '../../../common/cache/read-through-cache';
import { ConfigChangeBus, invalidateOnChanges } from '../../config-watcher';
import type { ChatMessage } from '../../providers';
import { ToolsService, type ExecutableTool } from '../../tools';
import { AgentSource, CallLogSink, ThreadStore, ToolSource, UsageSink } from './ports';

/**
 * Agents and tools are read on every completion, so they come from a short-lived in-memory
 * copy (CONFIG_CACHE_TTL_MS). Any instance's change to one is announced on the config change
 * bus (and seen by the store's watcher), which drops the copy here within seconds; the TTL
 * only bounds the damage should an event ever be lost. While the store is down, the last known
 * copy keeps serving (retried every second): a completion needs its agent, not a fresh one.
 */
function hotPathCache<V>(stores?: ConfigType<typeof storesConfig>): ReadThroughCache<V> {
  return new ReadThroughCache<V>({
    ttlMs: stores?.configCacheTtlMs ?? 30_000,
    negativeTtlMs: 5_000,
    maxEntries: 10_000,
    serveStaleOn: isStoreUnavailable,
    staleRetryMs: 1_000,
  });
}

/** Binds the pipeline's ports to the owning modules' public services. */
@Injectable()
export class AgentsAdapter extends AgentSource implements OnModuleInit, OnModuleDestroy {
  private readonly cache: ReadThroughCache<Agent>;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly agents: AgentsService,
    private readonly changes: ConfigChangeBus,
    @Optional() @Inject(storesConfig.KEY) stores?: ConfigType<typeof storesConfig>,
  ) {
    super();
    this.cache = hotPathCache(stores);
  }

  onModuleInit(): void {
    this.unsubscribe = invalidateOnChanges(this.changes, ['agent'], this.cache);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async get(orgId: string, agentId: string): Promise<Agent> {
    const agent = await this.cache.get(orgId, agentId, async () => {
      try {
        return await this.agents.get(orgId, agentId);
      } catch (e) {
        // Remembered briefly, so a client retrying a wrong id does not hit the store each time.
        if (e instanceof AppException && e.code === ErrorCode.NOT_FOUND) return undefined;
        throw e;
      }
    });
    if (!agent) throw new AppException(ErrorCode.NOT_FOUND, `Agent ${agentId} not found`);
    return agent;
  }
}

@Injectable()
export class ToolsAdapter extends ToolSource implements OnModuleInit, OnModuleDestroy {
  private readonly cache: ReadThroughCache<ExecutableTool>;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly tools: ToolsService,
    private readonly changes: ConfigChangeBus,
    @Optional() @Inject(storesConfig.KEY) stores?: ConfigType<typeof storesConfig>,
  ) {
    super();
    this.cache = hotPathCache(stores);
  }

  onModuleInit(): void {
    this.unsubscribe = invalidateOnChanges(this.changes, ['tool'], this.cache);
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /** Cached tools as they are; the missing ones in one read (NOT_FOUND naming any unknown id). */
  async getExecutable(orgId: string, toolIds: string[]): Promise<ExecutableTool[]> {
    const found = new Map<string, ExecutableTool>();
    const missing: string[] = [];
    for (const id of new Set(toolIds)) {
      const hit = this.cache.peek(orgId, id);
      if (hit) found.set(id, hit);
      else missing.push(id);
    }
    if (missing.length > 0) {
      const generation = this.cache.snapshot();
      let loaded: ExecutableTool[];
      try {
        loaded = await this.tools.getMany(orgId, missing);
      } catch (e) {
        // The store is down: the last known copies, if every missing tool has one.
        const stale = missing.map((id) => this.cache.staleOnError(orgId, id, e));
        if (stale.some((t) => t === undefined)) throw e;
        for (const t of stale as ExecutableTool[]) found.set(t.id, t);
        loaded = [];
      }
      for (const t of loaded) {
        this.cache.put(orgId, t.id, t, generation);
        found.set(t.id, t);
      }
    }
    return [...new Set(toolIds)].map((id) => found.get(id)!);
  }
}

@Injectable()
export class ConversationsAdapter extends ThreadStore {
  constructor(private readonly conversations: ConversationsService) {
    super();
  }

  async history(orgId: string, threadId: string, subThreadId?: string): Promise<ChatMessage[]> {
    const stored = await this.conversations.history(orgId, threadId, subThreadId);
    return stored.map(toChatMessage);
  }

  async appendExchange(
    orgId: string,
    threadId: string,
    subThreadId: string | null,
    messages: ConversationMessageInput[],
    opts: { exchangeId: string; createdAt: Date },
  ): Promise<void> {
    await this.conversations.appendExchange(orgId, threadId, subThreadId, messages, opts);
  }
}

function toChatMessage(m: ConversationMessage): ChatMessage {
  switch (m.role) {
    case 'assistant':
      return m.tool_calls && m.tool_calls.length > 0
        ? { role: 'assistant', content: asText(m.content), tool_calls: m.tool_calls }
        : { role: 'assistant', content: asText(m.content) ?? '' };
    case 'tool':
      return { role: 'tool', tool_call_id: m.tool_call_id ?? '', content: asText(m.content) ?? '' };
    case 'user':
      return { role: 'user', content: m.content ?? '' };
    default:
      return { role: m.role, content: asText(m.content) ?? '' };
  }
}

/** Non-user messages carry text only; stored parts are flattened back to their text. */
function asText(content: ConversationMessage['content']): string | null {
  if (content === null || typeof content === 'string') return content;
  return content.map((p) => (p.type === 'text' ? p.text : '')).join('');
}

@Injectable()
export class CallLogsAdapter extends CallLogSink {
  constructor(private readonly logs: CallLogsService) {
    super();
  }
  async record(entry: NewCallLog & { id: string }): Promise<void> {
    await this.logs.record(entry);
  }
}

/** Usage rows of answers arriving together share one multi-row INSERT. */
const USAGE_GROUP = 500;

@Injectable()
export class UsageRowsAdapter extends UsageSink {
  private readonly group: GroupCommit<UsageRecord[]>;

  constructor(writer: UsageRowWriter) {
    super();
    this.group = new GroupCommit((batches) => writer.write(batches.flat()), USAGE_GROUP);
  }

  async write(rows: UsageRecord[]): Promise<void> {
    if (rows.length > 0) await this.group.add(rows);
  }
}
