import type { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import {
  decodeCursor,
  pageSize,
  toPage,
  type Page,
  type PageRequest,
} from '../../../common/pagination';
import { isUniqueViolation } from '../../../infra/document-store/unique-violation';
import {
  messageId,
  messageKey,
  newestWholeExchanges,
  toStoredMessage,
  type ConversationMessage,
  type ExchangeToAppend,
} from '../conversation.types';
import type { ConversationsRepository, ThreadRef } from '../conversations.repository';
import { ConversationMessageEntity } from './conversation-message.entity';

export class PostgresConversationsRepository implements ConversationsRepository {
  private readonly repo: Repository<ConversationMessageEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.repo = dataSource.getRepository(ConversationMessageEntity);
  }

  async appendExchange(t: ThreadRef, x: ExchangeToAppend): Promise<ConversationMessage[]> {
    const scope = { org_id: t.orgId, thread_id: t.threadId, sub_thread_id: t.subThreadId };
    const rows = x.messages.map((m, i) => toStoredMessage(scope, x, m, i));
    try {
      // One transaction: every message of the exchange is stored, or none is. Inside it only
      // the transaction's manager is used (the embedded store has a single connection).
      await this.dataSource.transaction(async (m) => {
        await m
          .createQueryBuilder()
          .insert()
          .into(ConversationMessageEntity)
          .values(rows.map(({ id: _id, ...row }) => row))
          .execute();
      });
      return rows;
    } catch (e) {
      if (!isUniqueViolation(e)) throw e;
      return this.exchange(t.orgId, x.exchangeId);
    }
  }

  async listMessages(t: ThreadRef, page: PageRequest): Promise<Page<ConversationMessage>> {
    const size = pageSize(page.limit);
    const qb = this.thread(t)
      .orderBy('m.created_at', 'ASC')
      .addOrderBy('m.exchange_id', 'ASC')
      .addOrderBy('m.position', 'ASC')
      .limit(size + 1);
    if (page.cursor) {
      const [at, exchangeId, position] = decodeCursor(page.cursor, ['string', 'string', 'number']);
      qb.andWhere('(m.created_at, m.exchange_id, m.position) > (:at, :exchangeId, :position)', {
        at: new Date(at),
        exchangeId,
        position,
      });
    }
    return toPage((await qb.getMany()).map(toMessage), size, messageKey);
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
