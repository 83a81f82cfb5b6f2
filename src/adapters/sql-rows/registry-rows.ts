import type {
  ApiKey,
  Enterprise,
  EnterpriseKind,
  EnterpriseStatus,
} from "../../domain/enterprises/enterprise.js";
import type { Allocation, Port } from "../../domain/sending-ports/port.js";
import type { Category } from "../../domain/shared/categories.js";
import type { Authorization, Signature, SignatureStatus } from "../../domain/signatures/signature.js";
import { json, num, numOrNull, type Row, str, strOrNull } from "./row-values.js";

/** Registry rows (same columns in SQLite and PostgreSQL) as domain objects. */

export function toEnterprise(r: Row): Enterprise {
  return {
    id: str(r.id),
    kind: str(r.kind) as EnterpriseKind,
    name: str(r.name),
    creditCode: str(r.credit_code),
    parentId: strOrNull(r.parent_id),
    status: str(r.status) as EnterpriseStatus,
    createdAt: num(r.created_at),
    statusReason: strOrNull(r.status_reason),
  };
}

export function toKey(r: Row): ApiKey {
  return {
    id: str(r.id),
    enterpriseId: str(r.enterprise_id),
    hash: str(r.hash),
    prefix: str(r.prefix),
    createdAt: num(r.created_at),
    revokedAt: numOrNull(r.revoked_at),
  };
}

export function toSignature(r: Row): Signature {
  return {
    id: str(r.id),
    ownerId: str(r.owner_id),
    text: str(r.text),
    scope: json<Category[]>(r.scope),
    status: str(r.status) as SignatureStatus,
    statusReason: strOrNull(r.status_reason),
    createdAt: num(r.created_at),
  };
}

export function toAuthorization(r: Row): Authorization {
  return {
    id: str(r.id),
    signatureId: str(r.signature_id),
    enterpriseId: str(r.enterprise_id),
    validFrom: num(r.valid_from),
    validTo: num(r.valid_to),
    revokedAt: numOrNull(r.revoked_at),
    createdAt: num(r.created_at),
  };
}

export function toPort(r: Row): Port {
  return {
    id: str(r.id),
    providerId: str(r.provider_id),
    number: str(r.number),
    categories: json<Category[]>(r.categories),
    createdAt: num(r.created_at),
  };
}

export function toAllocation(r: Row): Allocation {
  return {
    id: str(r.id),
    portId: str(r.port_id),
    enterpriseId: str(r.enterprise_id),
    extension: str(r.extension),
    signatureIds: json<string[]>(r.signature_ids),
    createdAt: num(r.created_at),
  };
}
