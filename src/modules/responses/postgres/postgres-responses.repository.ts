import type { DataSource } from 'typeorm';
import { storableJson } from '../../../infra/document-store/storable';
import { conflictOnDuplicate } from '../../../infra/document-store/unique-violation';
import type { ResponsePatch, ResponseStatus, StoredResponse } from '../response-record';
import { existsMessage, type ResponsesRepository } from '../responses.repository';

/** JSON text for a jsonb column: model output may hold NUL, which jsonb refuses (U+FFFD). */
const json = (v: unknown): string | null =>
  v === null || v === undefined ? null : storableJson(v);

/**
 * Stored Responses in Postgres. Writes are raw SQL so JSON goes through `storableJson`, and a
 * conditional update is one `UPDATE … WHERE status IN (…) RETURNING *`: the row lock makes
 * concurrent ones run one after the other, and the second no longer matches.
 */
export class PostgresResponsesRepository implements ResponsesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(r: StoredResponse): Promise<void> {
    await conflictOnDuplicate(() => this.write(r), existsMessage(r.id));
  }

  private async write(r: StoredResponse): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "responses" ("org_id", "id", "status", "body", "input_items", "context",
         "previous_response_id", "conversation_id", "background", "request", "created_at",
         "updated_at")
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8, $9, $10::jsonb, $11, $12)`,
      [
        r.org_id,
        r.id,
        r.status,
        json(r.body),
        json(r.input_items),
        json(r.context),
        r.previous_response_id,
        r.conversation_id,
        r.background,
        json(r.request),
        r.created_at,
        r.updated_at,
      ],
    );
  }

  async get(orgId: string, id: string): Promise<StoredResponse | null> {
    const rows: StoredResponse[] = await this.dataSource.query(
      `SELECT * FROM "responses" WHERE "org_id" = $1 AND "id" = $2`,
      [orgId, id],
    );
    return rows[0] ?? null;
  }

  async update(
    orgId: string,
    id: string,
    patch: ResponsePatch,
    onlyIfStatusIn?: ResponseStatus[],
  ): Promise<StoredResponse | null> {
    if (onlyIfStatusIn !== undefined && onlyIfStatusIn.length === 0) return null;
    const params: unknown[] = [
      orgId,
      id,
      patch.status ?? null,
      json(patch.body),
      json(patch.context),
      new Date(),
    ];
    let guard = '';
    if (onlyIfStatusIn !== undefined) {
      const marks = onlyIfStatusIn.map((s) => `$${params.push(s)}`);
      guard = ` AND "status" IN (${marks.join(', ')})`;
    }
    const res: unknown = await this.dataSource.query(
      `UPDATE "responses" SET "status" = COALESCE($3, "status"),
         "body" = COALESCE($4::jsonb, "body"), "context" = COALESCE($5::jsonb, "context"),
         "updated_at" = $6
       WHERE "org_id" = $1 AND "id" = $2${guard}
       RETURNING *`,
      params,
    );
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const rows = Array.isArray(res) && Array.isArray(res[0]) ? (res[0] as StoredResponse[]) : [];
    return rows[0] ?? null;
  }

  async delete(orgId: string, id: string): Promise<boolean> {
    const res: unknown = await this.dataSource.query(
      `DELETE FROM "responses" WHERE "org_id" = $1 AND "id" = $2 RETURNING "id"`,
      [orgId, id],
    );
    const rows = Array.isArray(res) && Array.isArray(res[0]) ? (res[0] as unknown[]) : [];
    return rows.length === 1;
  }
}
