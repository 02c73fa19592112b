import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ModelCatalogService, type CatalogOverrides } from '../providers';
import { ConfigChangeBus } from '../config-watcher';
import { CatalogOverridesRepository } from './catalog-overrides.repository';
import { CATALOG_OVERRIDES_ID, type StoredCatalogOverrides } from './catalog-overrides.types';

export interface CatalogOverridesView {
  overrides: CatalogOverrides;
  updated_by: string | null;
  updated_at: Date | null;
  /** The catalog version in force on this instance (the file's, unless overridden). */
  catalog_version: string;
}

/**
 * Operators' model-catalog overrides, stored once for the deployment and merged over the
 * versioned file by `ModelCatalogService.setOverrides` (stored wins). Loaded at boot and again
 * whenever another instance changes them. A write is validated by applying it first: an invalid
 * set is refused (400) and never stored, so every instance can apply whatever is stored.
 */
@Injectable()
export class CatalogOverridesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('CatalogOverrides');
  private unsubscribe: (() => void) | undefined;
  /** Reloads run one at a time; a change arriving during one queues exactly one more. */
  private reloading: Promise<void> | undefined;
  private reloadAgain = false;

  constructor(
    private readonly repo: CatalogOverridesRepository,
    private readonly catalog: ModelCatalogService,
    private readonly changes: ConfigChangeBus,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = this.changes.subscribe(['catalog'], (e) => {
      // Our own writes are applied before they are announced.
      if (e.type === 'change' && e.origin === 'local') return;
      void this.reload();
    });
    await this.reload();
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  async get(): Promise<CatalogOverridesView> {
    return this.view(await this.repo.get());
  }

  async put(overrides: CatalogOverrides, updatedBy: string): Promise<CatalogOverridesView> {
    const previous = await this.repo.get();
    // Throws 400 with one line per problem, leaving the catalog in force untouched.
    this.catalog.setOverrides(overrides);
    let saved: StoredCatalogOverrides;
    try {
      saved = await this.repo.put(overrides, updatedBy);
    } catch (e) {
      this.catalog.setOverrides(previous?.overrides ?? null);
      throw e;
    }
    await this.changes.announce({
      kind: 'catalog',
      org_id: null,
      id: CATALOG_OVERRIDES_ID,
      op: 'upsert',
    });
    return this.view(saved);
  }

  /** Applies what is stored now. Failures are logged: the catalog in force stays. */
  reload(): Promise<void> {
    if (this.reloading) {
      this.reloadAgain = true;
      return this.reloading;
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false;
        try {
          const stored = await this.repo.get();
          this.catalog.setOverrides(stored?.overrides ?? null);
        } catch (e) {
          this.logger.error(
            `Stored catalog overrides not applied: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      } while (this.reloadAgain);
    })().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private view(stored: StoredCatalogOverrides | undefined): CatalogOverridesView {
    return {
      overrides: stored?.overrides ?? {},
      updated_by: stored?.updated_by ?? null,
      updated_at: stored?.updated_at ?? null,
      catalog_version: this.catalog.version,
    };
  }
}
