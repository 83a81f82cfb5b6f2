import type { Enterprise } from "../../domain/enterprises/enterprise.js";
import type { Allocation, Port } from "../../domain/sending-ports/port.js";
import type { Authorization, Signature } from "../../domain/signatures/signature.js";
import type { SmppAccount } from "../../domain/smpp/smpp-account.js";

const iso = (t: number): string => new Date(t).toISOString();
const isoOrNull = (t: number | null): string | null => (t === null ? null : iso(t));

/** An enterprise as callers see it (times as ISO 8601). */
export function enterpriseView(e: Enterprise) {
  return {
    id: e.id,
    kind: e.kind,
    name: e.name,
    creditCode: e.creditCode,
    parentId: e.parentId,
    status: e.status,
    statusReason: e.statusReason,
    createdAt: iso(e.createdAt),
  };
}

/** A signature as callers see it. */
export function signatureView(s: Signature) {
  return {
    id: s.id,
    ownerId: s.ownerId,
    text: s.text,
    scope: s.scope,
    status: s.status,
    statusReason: s.statusReason,
    createdAt: iso(s.createdAt),
  };
}

/** A signature authorization (授权委托书) as callers see it. */
export function authorizationView(a: Authorization) {
  return {
    id: a.id,
    signatureId: a.signatureId,
    enterpriseId: a.enterpriseId,
    validFrom: iso(a.validFrom),
    validTo: iso(a.validTo),
    revokedAt: isoOrNull(a.revokedAt),
    createdAt: iso(a.createdAt),
  };
}

/** A sending port as callers see it. */
export function portView(p: Port) {
  return {
    id: p.id,
    providerId: p.providerId,
    number: p.number,
    categories: p.categories,
    createdAt: iso(p.createdAt),
  };
}

/** A port allocation as callers see it. */
export function allocationView(a: Allocation) {
  return {
    id: a.id,
    portId: a.portId,
    enterpriseId: a.enterpriseId,
    extension: a.extension,
    signatureIds: a.signatureIds,
    createdAt: iso(a.createdAt),
  };
}

/** An SMPP account as callers see it: never its password or its hash. */
export function smppAccountView(a: SmppAccount) {
  return {
    id: a.id,
    enterpriseId: a.enterpriseId,
    systemId: a.systemId,
    maxBinds: a.maxBinds,
    tps: a.tps,
    defaultCategory: a.defaultCategory,
    allowedIps: a.allowedIps,
    status: a.status,
    lockedUntil: isoOrNull(a.lockedUntil),
    createdAt: iso(a.createdAt),
    updatedAt: iso(a.updatedAt),
  };
}
