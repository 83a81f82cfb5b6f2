import type { PartState, SenderNotice, UpstreamRef } from "../../domain/delivery/delivery-store.port.js";
import type { SmppAccount, SmppAccountStatus } from "../../domain/smpp/smpp-account.js";
import { json, num, numOrNull, type Row, str, strOrNull } from "./row-values.js";

/** SMPP account, upstream reference and sender-notice rows (same columns in SQLite and PostgreSQL). */

export function toSmppAccount(r: Row): SmppAccount {
  return {
    id: str(r.id),
    enterpriseId: str(r.enterprise_id),
    systemId: str(r.system_id),
    passwordHash: str(r.password_hash),
    maxBinds: num(r.max_binds),
    tps: num(r.tps),
    defaultCategory: strOrNull(r.default_category),
    allowedIps: json<string[]>(r.allowed_ips),
    status: str(r.status) as SmppAccountStatus,
    failedBinds: num(r.failed_binds),
    lockedUntil: numOrNull(r.locked_until),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

/** An account's columns in INSERT order (the allowed IPs as JSON text). */
export function smppAccountValues(a: SmppAccount): unknown[] {
  return [
    a.id,
    a.enterpriseId,
    a.systemId,
    a.passwordHash,
    a.maxBinds,
    a.tps,
    a.defaultCategory,
    JSON.stringify(a.allowedIps),
    a.status,
    a.failedBinds,
    a.lockedUntil,
    a.createdAt,
    a.updatedAt,
  ];
}

/** The column list matching {@link smppAccountValues}. */
export const SMPP_ACCOUNT_COLUMNS =
  "id, enterprise_id, system_id, password_hash, max_binds, tps, default_category, allowed_ips, status, " +
  "failed_binds, locked_until, created_at, updated_at";

/**
 * An account patch as positional values: for each patchable column (password_hash, max_binds, tps,
 * default_category, allowed_ips, status) a "set it" flag (1/0) and the new value, in that order.
 */
export function smppPatchValues(p: {
  passwordHash?: string;
  maxBinds?: number;
  tps?: number;
  defaultCategory?: string | null;
  allowedIps?: string[];
  status?: SmppAccountStatus;
}): unknown[] {
  const flag = (v: unknown) => (v === undefined ? 0 : 1);
  return [
    flag(p.passwordHash),
    p.passwordHash ?? null,
    flag(p.maxBinds),
    p.maxBinds ?? null,
    flag(p.tps),
    p.tps ?? null,
    flag(p.defaultCategory),
    p.defaultCategory ?? null,
    flag(p.allowedIps),
    p.allowedIps === undefined ? null : JSON.stringify(p.allowedIps),
    flag(p.status),
    p.status ?? null,
  ];
}

export function toUpstreamRef(r: Row): UpstreamRef {
  return {
    route: str(r.route),
    upstreamId: str(r.upstream_id),
    messageId: str(r.message_id),
    part: num(r.part),
    parts: num(r.parts),
    state: str(r.state) as PartState,
    at: num(r.at),
  };
}

/** The columns of an upstream part {@link upstreamRefFromValues} reads, in order. */
export const UPSTREAM_REF_COLUMNS = "route, upstream_id, message_id, part, parts, state, at";

/** An upstream reference from its values in UPSTREAM_REF_COLUMNS order (a row read as an array). */
export function upstreamRefFromValues(v: readonly unknown[]): UpstreamRef {
  return {
    route: str(v[0]),
    upstreamId: str(v[1]),
    messageId: str(v[2]),
    part: num(v[3]),
    parts: num(v[4]),
    state: str(v[5]) as PartState,
    at: num(v[6]),
  };
}

/** The columns of a sender notice {@link noticeFromValues} reads, in order. */
export const NOTICE_COLUMNS = "id, enterprise_id, kind, message_id, payload, created_at, smpp_delivered_at";

/** A sender notice from its values in NOTICE_COLUMNS order (a row read as an array). */
export function noticeFromValues(v: readonly unknown[]): SenderNotice {
  return {
    id: str(v[0]),
    enterpriseId: str(v[1]),
    kind: str(v[2]) as SenderNotice["kind"],
    messageId: strOrNull(v[3]),
    payload: json<Record<string, unknown>>(v[4]),
    createdAt: num(v[5]),
    smppDeliveredAt: numOrNull(v[6]),
  };
}

export function toNotice(r: Row): SenderNotice {
  return {
    id: str(r.id),
    enterpriseId: str(r.enterprise_id),
    kind: str(r.kind) as SenderNotice["kind"],
    messageId: strOrNull(r.message_id),
    payload: json<Record<string, unknown>>(r.payload),
    createdAt: num(r.created_at),
    smppDeliveredAt: numOrNull(r.smpp_delivered_at),
  };
}
