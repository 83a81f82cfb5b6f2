import { CONSENT_GRANTED, CONSENT_PENDING, CONSENT_WITHDRAWN } from "../../domain/indexes/consent-index.js";
import { DomainError } from "../../domain/shared/domain-error.js";
import type { Actor, AppContext } from "../context.js";
import { appendToLedger } from "./ledger-writer.js";
import { type PreparedGrant, prepareGrant, type RecordConsentInput } from "./record-consent.js";

/** One rejected row of an import. */
export interface ImportReject {
  row: number;
  code: string;
  message: string;
}

export interface ImportTally {
  imported: number;
  skipped: number;
  rejected: number;
}

/**
 * Imports consent records in batches. Each row is validated like `POST /v1/consents`; bad rows are
 * rejected with their code and never stop the import. A row whose consent is already in force is
 * skipped, so running the same file again imports nothing twice. Double opt-in rows are refused here:
 * a pending request is opened through the API, where its once-in-30-days rule is checked.
 */
export class ConsentImporter {
  private batch: PreparedGrant[] = [];
  readonly tally: ImportTally = { imported: 0, skipped: 0, rejected: 0 };
  /** Keys seen in the current batch, so a file repeating a row imports it once. */
  private seen = new Set<string>();

  constructor(
    private readonly ctx: AppContext,
    private readonly actor: Actor,
    private readonly onReject: (r: ImportReject) => void,
    private readonly batchSize = 20_000,
  ) {}

  /** Rejects a row the reader could not even split into fields. */
  reject(r: ImportReject): void {
    this.tally.rejected++;
    this.onReject(r);
  }

  /** Validates one row (1-based data row number) and queues it. */
  async add(row: number, input: RecordConsentInput): Promise<void> {
    let g: PreparedGrant;
    try {
      g = prepareGrant(this.ctx, this.actor, input, this.ctx.clock.now());
      if (g.event.type === "request")
        throw new DomainError(
          "VALIDATION_FAILED",
          "sms_double_opt_in is opened through POST /v1/consents, not imported",
        );
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      this.tally.rejected++;
      this.onReject({ row, code: err.code, message: err.message });
      return;
    }
    const digits = Number(g.e164.slice(1));
    const tag = this.ctx.state.consents.tagOf(g.event.enterpriseId as string, g.event.category);
    const state = this.ctx.state.consents.stateOf(digits, tag);
    const key = `${digits}|${tag}`;
    if (state === CONSENT_GRANTED || state === CONSENT_PENDING || this.seen.has(key)) {
      this.tally.skipped++;
      return;
    }
    if (state === CONSENT_WITHDRAWN && (await this.withdrawnAfter(g))) {
      this.tally.rejected++;
      this.onReject({
        row,
        code: "CONSENT_PREDATES_WITHDRAWAL",
        message: "the recipient withdrew after this consent was captured",
      });
      return;
    }
    this.seen.add(key);
    this.batch.push(g);
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  private async withdrawnAfter(g: PreparedGrant): Promise<boolean> {
    const events = await this.ctx.store.ledger.eventsForRecipient(g.event.recipientId);
    const last = events
      .filter(
        (e) =>
          e.type === "withdraw" && e.enterpriseId === g.event.enterpriseId && e.category === g.event.category,
      )
      .at(-1);
    return last !== undefined && (g.event.capturedAt ?? 0) < last.recordedAt;
  }

  /** Writes the queued rows to the ledger in one append. */
  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const phones = new Map(this.batch.map((g) => [g.event.recipientId, g.e164]));
    await appendToLedger(
      this.ctx,
      this.batch.map((g) => g.event),
      phones,
    );
    this.tally.imported += this.batch.length;
    this.batch = [];
    this.seen = new Set();
  }
}
