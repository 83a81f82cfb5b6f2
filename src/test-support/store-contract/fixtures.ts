import { createHash } from "node:crypto";
import type { Campaign } from "../../domain/campaigns/campaign.js";
import type { ConsentEventInput } from "../../domain/consent/consent.js";
import { LEDGER_SHARDS } from "../../domain/consent/ledger-chain.js";
import type { ApiKey, Enterprise } from "../../domain/enterprises/enterprise.js";
import type { Message } from "../../domain/messages/message.js";
import type { Allocation, Port } from "../../domain/sending-ports/port.js";
import type { Authorization, Signature } from "../../domain/signatures/signature.js";

/** The ledger key every store under contract must be opened with (chains are verified with it). */
export const CONTRACT_LEDGER_KEY = Buffer.from("anning-store-contract-ledger-key");

/** A fixed instant the fixtures count from: 2025-03-01T00:00:00Z. */
export const T0 = Date.UTC(2025, 2, 1);

let counter = 0;

/** A fresh, zero-padded number: ids built from it sort in creation order. */
export function nextN(): string {
  counter++;
  return String(counter).padStart(8, "0");
}

/** A fresh id with an anning prefix, e.g. `msg_00000042`. */
export function anId(prefix: string): string {
  return `${prefix}_${nextN()}`;
}

/** A fresh, valid-looking E.164 mainland mobile number. */
export function aPhone(): string {
  return `+86139${nextN()}`;
}

/** A 64-hex pseudonymous recipient id; with `shard`, one that falls in that shard. */
export function aRecipientId(shard?: number): string {
  const hex = createHash("sha256").update(nextN()).digest("hex");
  if (shard === undefined) return hex;
  const head = (Number.parseInt(hex.slice(0, 4), 16) & ~(LEDGER_SHARDS - 1)) | shard;
  return head.toString(16).padStart(4, "0") + hex.slice(4);
}

export function anEnterprise(overrides: Partial<Enterprise> = {}): Enterprise {
  return {
    id: anId("ent"),
    kind: "merchant",
    name: `商户 ${nextN()}`,
    creditCode: "91350100M000100Y43",
    parentId: null,
    status: "active",
    createdAt: T0,
    statusReason: null,
    ...overrides,
  };
}

export function anApiKey(enterpriseId: string, overrides: Partial<ApiKey> = {}): ApiKey {
  const n = nextN();
  return {
    id: anId("key"),
    enterpriseId,
    hash: createHash("sha256").update(`secret-${n}`).digest("hex"),
    prefix: `ak_${n.slice(-4)}`,
    createdAt: T0,
    revokedAt: null,
    ...overrides,
  };
}

export function aSignature(ownerId: string, overrides: Partial<Signature> = {}): Signature {
  return {
    id: anId("sig"),
    ownerId,
    text: `好物商城${nextN()}`,
    scope: ["marketing.retail", "notification"],
    status: "active",
    statusReason: null,
    createdAt: T0,
    ...overrides,
  };
}

export function anAuthorization(
  signatureId: string,
  enterpriseId: string,
  overrides: Partial<Authorization> = {},
): Authorization {
  return {
    id: anId("aut"),
    signatureId,
    enterpriseId,
    validFrom: T0,
    validTo: T0 + 365 * 86_400_000,
    revokedAt: null,
    createdAt: T0,
    ...overrides,
  };
}

export function aPort(providerId: string, overrides: Partial<Port> = {}): Port {
  return {
    id: anId("prt"),
    providerId,
    number: `10690${nextN()}`,
    categories: ["marketing.retail"],
    createdAt: T0,
    ...overrides,
  };
}

export function anAllocation(
  portId: string,
  enterpriseId: string,
  overrides: Partial<Allocation> = {},
): Allocation {
  return {
    id: anId("alc"),
    portId,
    enterpriseId,
    extension: "01",
    signatureIds: [],
    createdAt: T0,
    ...overrides,
  };
}

/** The `phones` of a ledger append whose recipients' numbers are not given. */
export const NO_PHONES: ReadonlyMap<string, string> = new Map();

/** A grant by default; every field set, so round trips check them all. */
export function anEvent(overrides: Partial<ConsentEventInput> = {}): ConsentEventInput {
  return {
    id: anId("evt"),
    consentId: anId("cns"),
    recipientId: aRecipientId(),
    enterpriseId: "ent_x",
    category: "marketing.retail",
    type: "grant",
    method: "web_form_unticked_box",
    capturedAt: T0 - 60_000,
    recordedAt: T0,
    source: "https://shop.example/signup",
    noticeText: "我同意接收营销短信",
    expiresAt: T0 + 365 * 86_400_000,
    channel: "api",
    actor: "ent_x",
    ...overrides,
  };
}

/** An accepted marketing message, due at T0. */
export function aMessage(overrides: Partial<Message> = {}): Message {
  return {
    id: anId("msg"),
    senderId: "ent_s",
    signatureId: "sig_s",
    signature: "好物商城",
    port: "1069012301",
    portId: "prt_s",
    phone: aPhone(),
    text: "【好物商城】春季上新，全场八折。回TD退订",
    category: "marketing.retail",
    status: "accepted",
    reasons: [],
    campaignId: null,
    idempotencyKey: null,
    parts: 1,
    createdAt: T0,
    updatedAt: T0,
    notBefore: T0,
    validUntil: T0 + 86_400_000,
    upstreamId: null,
    history: [{ status: "accepted", at: T0 }],
    ...overrides,
  };
}

export function aCampaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: anId("cpg"),
    senderId: "ent_s",
    signature: "好物商城",
    port: "1069012301",
    text: "【好物商城】春季上新，全场八折。回TD退订",
    category: "marketing.retail",
    status: "running",
    scheduledAt: null,
    total: 0,
    cursor: 0,
    accepted: 0,
    refusedByCode: {},
    createdAt: T0,
    updatedAt: T0,
    leaseOwner: null,
    leaseUntil: null,
    ...overrides,
  };
}
