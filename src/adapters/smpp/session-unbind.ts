/**
 * What a session's unbind, sent or received, waits for: the requests it took from its peer (handed to its
 * listeners) and has not answered yet. A client resubmits what went unanswered, so a submit anning accepted
 * and sent on but never acknowledged would reach the consumer twice. From the unbind on, the session takes
 * no more requests: it answers them itself (see afterUnbindAnswer).
 */
import { type Pdu, STATUS } from "./pdu/pdu.js";
import type { ResponseInit } from "./session-types.js";

export interface UnbindHooks {
  /** How long to wait for the requests taken to be answered. */
  timeoutMs: number;
  /** The unbind began: drop our own requests not yet sent. */
  begin(): void;
  /** Some requests taken were not answered in time (`open` of them). */
  late(open: number): void;
}

export class UnbindGate {
  readonly #hooks: UnbindHooks;
  /** Taken and not yet answered, by sequence number (a count: a careless peer may reuse one). */
  readonly #open = new Map<number, number>();
  #count = 0;
  #wake: ((all: boolean) => void) | null = null;
  #drained: Promise<void> | null = null;
  /** Sequences of the peer's unbind requests, to answer once drained. */
  readonly peerUnbinds: number[] = [];

  constructor(hooks: UnbindHooks) {
    this.#hooks = hooks;
  }

  /** Whether an unbind, sent or received, began: no more requests are taken. */
  get begun(): boolean {
    return this.#drained !== null;
  }

  /** A request with this sequence was handed to the listeners. */
  take(sequence: number): void {
    this.#open.set(sequence, (this.#open.get(sequence) ?? 0) + 1);
    this.#count++;
  }

  /** A response with this sequence was written; nothing when no request taken has it. */
  answered(sequence: number): void {
    const n = this.#open.get(sequence);
    if (n === undefined) return;
    if (n > 1) this.#open.set(sequence, n - 1);
    else this.#open.delete(sequence);
    if (--this.#count === 0) this.#wake?.(true);
  }

  /**
   * Begins the unbind on the first call; resolves once every request taken was answered, after
   * `timeoutMs` at most, or at close().
   */
  drain(): Promise<void> {
    if (this.#drained !== null) return this.#drained;
    this.#hooks.begin();
    this.#drained = new Promise<boolean>((resolve) => {
      if (this.#count === 0) return resolve(true);
      const timer = setTimeout(() => this.#wake?.(false), Math.max(1, this.#hooks.timeoutMs));
      timer.unref();
      this.#wake = (all) => {
        this.#wake = null;
        clearTimeout(timer);
        resolve(all);
      };
    }).then((all) => {
      if (!all && this.#count > 0) this.#hooks.late(this.#count);
    });
    return this.#drained;
  }

  /** The peer's unbind: true for its first one (the others are answered with it). */
  peerUnbind(sequence: number): boolean {
    this.peerUnbinds.push(sequence);
    return this.peerUnbinds.length === 1;
  }

  /** The session closed: a drain still waiting ends. */
  close(): void {
    this.#wake?.(false);
  }
}

/**
 * The answer to a request arriving after an unbind, sent or received, which is not processed: its own
 * response with ESME_RINVBNDSTS, the session no longer being bound (SMPP 3.4 §5.1.3); but a deliver_sm
 * gets ESME_RX_T_APPN, a temporary error, so that the SMSC delivers it again. Any other command (none
 * decodes today but enquire_link and unbind, which the session answers itself): generic_nack
 * ESME_RINVBNDSTS.
 */
export function afterUnbindAnswer(pdu: Pdu): ResponseInit {
  switch (pdu.command) {
    case "submit_sm":
      return { command: "submit_sm_resp", status: STATUS.ESME_RINVBNDSTS, messageId: "" };
    case "submit_multi":
      return { command: "submit_multi_resp", status: STATUS.ESME_RINVBNDSTS, messageId: "", unsuccess: [] };
    case "query_sm":
      return {
        command: "query_sm_resp",
        status: STATUS.ESME_RINVBNDSTS,
        messageId: "",
        finalDate: "",
        messageState: 0,
        errorCode: 0,
      };
    case "cancel_sm":
      return { command: "cancel_sm_resp", status: STATUS.ESME_RINVBNDSTS };
    case "deliver_sm":
      return { command: "deliver_sm_resp", status: STATUS.ESME_RX_T_APPN, messageId: "" };
    case "bind_transmitter":
    case "bind_receiver":
    case "bind_transceiver":
      return { command: `${pdu.command}_resp`, status: STATUS.ESME_RINVBNDSTS, systemId: "", tlvs: {} };
    default:
      return { command: "generic_nack", status: STATUS.ESME_RINVBNDSTS };
  }
}
