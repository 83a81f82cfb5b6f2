import type { ConsentEvent, ConsentEventInput, ConsentState, ConsentStatus } from "./consent.js";

/** Key of one consent: recipient, enterprise, category. */
export function consentKey(recipientId: string, enterpriseId: string, category: string): string {
  return `${recipientId}|${enterpriseId}|${category}`;
}

/**
 * Applies one event to the state of its key (null when there was none). Events must be applied in
 * recording order. DND events do not touch consent state.
 */
export function applyConsentEvent(
  prev: ConsentState | null,
  e: ConsentEventInput,
  pendingTtlMs: number,
): ConsentState | null {
  if (e.enterpriseId === null || e.type === "dnd_set" || e.type === "dnd_remove") return prev;
  const base = {
    recipientId: e.recipientId,
    enterpriseId: e.enterpriseId,
    category: e.category,
    updatedAt: e.recordedAt,
  };
  switch (e.type) {
    case "grant":
      return {
        ...base,
        consentId: e.consentId,
        status: "granted",
        method: e.method,
        capturedAt: e.capturedAt,
        expiresAt: e.expiresAt,
      };
    case "request":
      return {
        ...base,
        consentId: e.consentId,
        status: "pending",
        method: e.method,
        capturedAt: e.capturedAt,
        expiresAt: e.recordedAt + pendingTtlMs,
      };
    case "confirm":
      if (prev === null || prev.status !== "pending") return prev;
      return { ...prev, status: "granted", expiresAt: e.expiresAt, updatedAt: e.recordedAt };
    case "withdraw":
      return {
        ...base,
        consentId: prev?.consentId ?? e.consentId,
        status: "withdrawn",
        method: prev?.method ?? null,
        capturedAt: prev?.capturedAt ?? null,
        expiresAt: null,
      };
  }
}

/** The status a stored state has at time `at`: a lapsed grant is expired, a lapsed request refused. */
export function statusAt(state: ConsentState, at: number): ConsentStatus {
  if (state.status === "granted" && state.expiresAt !== null && state.expiresAt <= at) return "expired";
  if (state.status === "pending" && state.expiresAt !== null && state.expiresAt <= at) return "refused";
  return state.status;
}

/**
 * Folds events (in recording order) into the state of every consent key as of `at`, by server
 * recording time: events recorded after `at` are ignored.
 */
export function foldConsents(
  events: Iterable<ConsentEvent | ConsentEventInput>,
  at: number,
  pendingTtlMs: number,
): ConsentState[] {
  const states = new Map<string, ConsentState>();
  for (const e of events) {
    if (e.recordedAt > at || e.enterpriseId === null) continue;
    const k = consentKey(e.recipientId, e.enterpriseId, e.category);
    const next = applyConsentEvent(states.get(k) ?? null, e, pendingTtlMs);
    if (next) states.set(k, next);
  }
  return [...states.values()].map((s) => ({ ...s, status: statusAt(s, at) }));
}

/** DND scopes in force as of `at`, by folding dnd_set / dnd_remove events in recording order. */
export function foldDnd(events: Iterable<ConsentEvent | ConsentEventInput>, at: number): Set<string> {
  const scopes = new Set<string>();
  for (const e of events) {
    if (e.recordedAt > at) continue;
    if (e.type === "dnd_set") scopes.add(e.category);
    else if (e.type === "dnd_remove") scopes.delete(e.category);
  }
  return scopes;
}
