import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import {
  decodeCursor,
  pageSize,
  toPage,
  type Page,
  type PageRequest,
} from '../../../common/pagination';
import { isUniqueViolation } from '../../../infra/document-store/unique-violation';
import { BulkInsert } from '../../../infra/postgres/bulk-insert';
import { GroupCommit } from '../../../common/batching/group-commit';
import {
  messageId,
  messageKey,
  newestWholeExchanges,
  toStoredMessage,
  type ConversationMessage,
  type ExchangeToAppend,
} from '../conversation.types';
import type { ConversationsRepository, MessageOrder, ThreadRef } from '../conversations.repository';
import { ConversationMessageEntity } from './conversation-message.entity';

/** Exchanges per INSERT at most when concurrent appends are grouped. */
const MAX_GROUP = 100;

export class PostgresConversationsRepository implements ConversationsRepository {
  private readonly repo: Repository<ConversationMessageEntity>;
  private readonly bulk: BulkInsert<ConversationMessageEntity>;
  /**
   * Appends arriving together (one per completed request on a busy gateway) share one INSERT.
   * A batch that fails (e.g. one exchange is a retry of a stored one) is retried exchange by
   * exchange, so each append still succeeds or fails on its own.
   */
  private readonly group: GroupCommit<Omit<ConversationMessage, 'id'>[]>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(ConversationMessageEntity);
    this.bulk = new BulkInsert(dataSource, ConversationMessageEntity);
    this.group = new GroupCommit((exchanges) => this.bulk.insert(exchanges.flat()), MAX_GROUP);
  }

  async appendExchange(t: ThreadRef, x: ExchangeToAppend): Promise<ConversationMessage[]> {
    const scope = { org_id: t.orgId, thread_id: t.threadId, sub_thread_id: t.subThreadId };
    const rows = x.messages.map((m, i) => toStoredMessage(scope, x, m, i));
    try {
      // One multi-row INSERT, atomic as every statement is: every message of the exchange is
      // stored, or none is (no explicit transaction needed, which saved two round trips).
      await this.group.add(rows.map(({ id: _id, ...row }) => row));
      return rows;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return this.exchange(t.orgId, x.exchangeId);
    }
  }

  async listMessages(
    t: ThreadRef,
    page: PageRequest,
    order: MessageOrder = 'asc',
  ): Promise<Page<ConversationMessage>> {
    const size = pageSize(page.limit);
    // Newest first is the thread index scanned backwards.
    const [dir, past] = order === 'asc' ? (['ASC', '>'] as const) : (['DESC', '<'] as const);
    const qb = this.thread(t)
      .orderBy('m.created_at', dir)
      .addOrderBy('m.exchange_id', dir)
      .addOrderBy('m.position', dir)
      .limit(size + 1);
    if (page.cursor) {
      const [at, exchangeId, position] = decodeCursor(page.cursor, ['time', 'string', 'number']);
      qb.andWhere(
        `(m.created_at, m.exchange_id, m.position) ${past} (:at, :exchangeId, :position)`,
        {
          at: new Date(at),
          exchangeId,
          position,
        },
      );
    }
    return toPage((await qb.getMany()).map(toMessage), size, messageKey);
  }

  async getMessage(
    t: ThreadRef,
    exchangeId: string,
    position: number,
  ): Promise<ConversationMessage | null> {
    const row = await this.thread(t)
      .andWhere('m.exchange_id = :exchangeId AND m.position = :position', { exchangeId, position })
      .getOne();
    return row ? toMessage(row) : null;
  }

  async recentMessages(t: ThreadRef, maxMessages: number): Promise<ConversationMessage[]> {
    const rows = await this.thread(t)
      .orderBy('m.created_at', 'DESC')
      .addOrderBy('m.exchange_id', 'DESC')
      .addOrderBy('m.position', 'DESC')
      .limit(maxMessages)
      .getMany();
    return newestWholeExchanges(rows.reverse().map(toMessage), maxMessages);
  }

  async deleteThread(orgId: string, threadId: string): Promise<number> {
    const res = await this.repo.delete({ org_id: orgId, thread_id: threadId });
    return res.affected ?? 0;
  }

  private async exchange(orgId: string, exchangeId: string): Promise<ConversationMessage[]> {
    const rows = await this.repo.find({
      where: { org_id: orgId, exchange_id: exchangeId },
      order: { position: 'ASC' },
    });
    return rows.map(toMessage);
  }

  /** The org + thread + sub-thread filter every read starts from (the thread index's prefix). */
  private thread(t: ThreadRef): SelectQueryBuilder<ConversationMessageEntity> {
    const qb = this.repo
      .createQueryBuilder('m')
      .where('m.org_id = :orgId AND m.thread_id = :threadId', {
        orgId: t.orgId,
        threadId: t.threadId,
      });
    return t.subThreadId === null
      ? qb.andWhere('m.sub_thread_id IS NULL')
      : qb.andWhere('m.sub_thread_id = :sub', { sub: t.subThreadId });
  }
}

function toMessage(row: ConversationMessageEntity): ConversationMessage {
  return { id: messageId(row.exchange_id, row.position), ...row };
}
