import type { Enterprise } from "../enterprises/enterprise.js";
import type { PartialProfile } from "../policy/policy.js";
import type { Allocation, Port } from "../sending-ports/port.js";
import {
  type Authorization,
  authorizationValidAt,
  normalizeSignatureText,
  type Signature,
  signatureLookalikeKey,
} from "../signatures/signature.js";

/** Everything registered, as plain lists (what the stores hand over at start-up). */
export interface RegistryData {
  enterprises: Enterprise[];
  signatures: Signature[];
  authorizations: Authorization[];
  ports: Port[];
  allocations: Allocation[];
  overrides: Array<{ enterpriseId: string; override: PartialProfile }>;
}

/** An allocation matched to a sending number, with its port. */
export interface PortMatch {
  port: Port;
  allocation: Allocation;
}

/**
 * The registry in memory, indexed for the send path: a few thousand enterprises, signatures and ports
 * at most, rebuilt whenever one changes.
 */
export class RegistryIndex {
  readonly enterprises = new Map<string, Enterprise>();
  readonly signatures = new Map<string, Signature>();
  private readonly signaturesByText = new Map<string, Signature>();
  /** Live signatures by look-alike key (see signatureLookalikeKey). */
  private readonly liveByLookalike = new Map<string, Signature>();
  /** Revoked signatures by text (the newest registered), for a text no live signature holds. */
  private readonly revokedByText = new Map<string, Signature>();
  private readonly authorizations = new Map<string, Authorization[]>();
  readonly ports = new Map<string, Port>();
  private readonly portsByNumber = new Map<string, Port>();
  /** Allocations by full number (port + extension). */
  private readonly byNumber = new Map<string, Array<PortMatch>>();
  private readonly allocationsByPort = new Map<string, Allocation[]>();
  readonly overrides = new Map<string, PartialProfile>();

  constructor(data: RegistryData) {
    for (const e of data.enterprises) this.enterprises.set(e.id, e);
    for (const s of data.signatures) {
      this.signatures.set(s.id, s);
      if (s.status !== "revoked") {
        this.signaturesByText.set(s.text, s);
        this.liveByLookalike.set(signatureLookalikeKey(s.text), s);
      } else if ((this.revokedByText.get(s.text)?.createdAt ?? Number.NEGATIVE_INFINITY) <= s.createdAt)
        this.revokedByText.set(s.text, s);
    }
    for (const a of data.authorizations) {
      const list = this.authorizations.get(a.signatureId) ?? [];
      list.push(a);
      this.authorizations.set(a.signatureId, list);
    }
    for (const p of data.ports) {
      this.ports.set(p.id, p);
      this.portsByNumber.set(p.number, p);
    }
    for (const a of data.allocations) {
      const port = this.ports.get(a.portId);
      if (!port) continue;
      const num = port.number + a.extension;
      const list = this.byNumber.get(num) ?? [];
      list.push({ port, allocation: a });
      this.byNumber.set(num, list);
      const byPort = this.allocationsByPort.get(a.portId) ?? [];
      byPort.push(a);
      this.allocationsByPort.set(a.portId, byPort);
    }
    for (const o of data.overrides) this.overrides.set(o.enterpriseId, o.override);
  }

  /**
   * A signature by id (`sig_…`) or by its text, bracketed or bare: the live one holding that text, else
   * the newest revoked one (so that a sender naming it learns it is revoked, not that it never existed).
   */
  resolveSignature(ref: string): Signature | undefined {
    if (ref.startsWith("sig_")) return this.signatures.get(ref);
    const text = normalizeSignatureText(ref);
    return text === null ? undefined : (this.signaturesByText.get(text) ?? this.revokedByText.get(text));
  }

  /** The live (not revoked) signature that reads like `text`, if any: the same text included. */
  liveLookalike(text: string): Signature | undefined {
    return this.liveByLookalike.get(signatureLookalikeKey(text));
  }

  /** Whether `enterpriseId` holds an authorization for the signature valid at `at`. */
  authorized(signatureId: string, enterpriseId: string, at: number): boolean {
    return (this.authorizations.get(signatureId) ?? []).some(
      (a) => a.enterpriseId === enterpriseId && authorizationValidAt(a, at),
    );
  }

  authorizationsOf(signatureId: string): readonly Authorization[] {
    return this.authorizations.get(signatureId) ?? [];
  }

  /**
   * The allocations whose full number (port + extension) is the longest registered prefix of the
   * sending number. Several when one number is allocated to several enterprises.
   */
  matchNumber(sendingNumber: string): PortMatch[] {
    for (let len = sendingNumber.length; len > 0; len--) {
      const hit = this.byNumber.get(sendingNumber.slice(0, len));
      if (hit) return hit;
    }
    return [];
  }

  /** The port whose number is the longest prefix of a sending number (allocated or not). */
  portOfNumber(sendingNumber: string): Port | undefined {
    for (let len = sendingNumber.length; len > 0; len--) {
      const p = this.portsByNumber.get(sendingNumber.slice(0, len));
      if (p) return p;
    }
    return undefined;
  }

  allocationsOfPort(portId: string): readonly Allocation[] {
    return this.allocationsByPort.get(portId) ?? [];
  }

  /** Whether an enterprise may act for another: itself, or a platform for its merchants. */
  canActFor(actorId: string, enterpriseId: string): boolean {
    if (actorId === enterpriseId) return true;
    const e = this.enterprises.get(enterpriseId);
    return e?.parentId === actorId;
  }
}
