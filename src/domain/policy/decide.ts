import type { Enterprise } from "../enterprises/enterprise.js";
import type { ConsentIndex } from "../indexes/consent-index.js";
import { CONSENT_GRANTED, CONSENT_NONE, CONSENT_PENDING } from "../indexes/consent-index.js";
import type { FrequencyCounters, VerificationCounters } from "../indexes/frequency-counters.js";
import { textHasOptOutInstruction } from "../optout/keywords.js";
import { type PhoneParse, parsePhone } from "../phone/phone.js";
import type { PortMatch, RegistryIndex } from "../registry/registry-index.js";
import type { Port } from "../sending-ports/port.js";
import { isMarketing } from "../shared/categories.js";
import { type Signature, textCarriesSignature } from "../signatures/signature.js";
import { inWindow, localTime } from "./local-time.js";
import type { PolicyFile, PolicyProfile } from "./policy.js";
import { PRECEDENCE, type ReasonCode } from "./reason-codes.js";
import { effectiveProfile, marketingWindow } from "./tighten.js";

/** What a sender asks to send, before the recipient. */
export interface SendRequest {
  senderId: string;
  /** Signature id or 【text】 / bare text. */
  signature: string;
  /** Sending number (port plus any extension) or port id. */
  port: string;
  text: string;
  category: string;
}

/** The registry-level part of a decision, computed once per request or campaign. */
export interface PreparedSend {
  request: SendRequest;
  /** Failures that do not depend on the recipient, or the time. */
  codes: ReasonCode[];
  sender: Enterprise | undefined;
  signature: Signature | undefined;
  port: Port | undefined;
  match: PortMatch | undefined;
  marketing: boolean;
  hasOptOutText: boolean;
  consentTag: number;
  senderTag: number;
  categoryTag: number;
}

/** Everything the engine reads. Indexes are kept in step with the stores by the application layer. */
export interface PolicyState {
  policy: PolicyFile;
  registry: RegistryIndex;
  consents: ConsentIndex;
  counters: FrequencyCounters;
  verification: VerificationCounters;
  /**
   * Caps are counted outside this process (shared by several nodes): decisions then leave the cap
   * check to the caller, described by {@link RecipientDecision.cap}, instead of using `counters`.
   */
  sharedCaps?: boolean;
}

/** A cap check left to a shared counter store (see {@link PolicyState.sharedCaps}). */
export type CapQuery =
  | {
      kind: "marketing";
      /** Local calendar day of the recipient (days since the epoch). */
      day: number;
      digits: number;
      senderId: string;
      perSender: number;
      perRecipient: number;
    }
  | {
      kind: "verification";
      digits: number;
      signatureId: string;
      perMinute: number;
      perHour: number;
      perDay: number;
    };

/** A decision for one recipient. */
export interface RecipientDecision {
  codes: ReasonCode[];
  phone: PhoneParse;
  /** With shared caps: the cap check still to be made (FREQUENCY_CAP is then added by the caller). */
  cap?: CapQuery;
}

/** Checks sender, signature and port for a request: everything but the recipient and the clock. */
export function prepareSend(s: PolicyState, req: SendRequest, at: number): PreparedSend {
  const codes: ReasonCode[] = [];
  const reg = s.registry;
  const sender = reg.enterprises.get(req.senderId);
  if (!sender) codes.push("SENDER_UNKNOWN");
  else if (sender.status !== "active" || reg.enterprises.get(sender.parentId ?? "")?.status === "suspended")
    codes.push("SENDER_SUSPENDED");
  const signature = reg.resolveSignature(req.signature);
  let mayUse = false;
  // none named at all (an SMPP text without 【…】) is the text's fault, not the registry's
  if (!signature) codes.push(req.signature.trim() === "" ? "SIGNATURE_MISSING_IN_TEXT" : "SIGNATURE_UNKNOWN");
  else {
    if (signature.status === "pending" || signature.status === "revoked") codes.push("SIGNATURE_INACTIVE");
    else if (
      signature.status === "suspended" ||
      // a suspended owner's signature may not be lent out either
      (signature.ownerId !== req.senderId && reg.enterprises.get(signature.ownerId)?.status !== "active")
    )
      codes.push("SIGNATURE_SUSPENDED");
    mayUse = signature.ownerId === req.senderId || reg.authorized(signature.id, req.senderId, at);
    if (!mayUse) codes.push("SIGNATURE_NOT_AUTHORIZED");
    if (!signature.scope.includes(req.category)) codes.push("SIGNATURE_SCOPE");
    if (!memo(`s|${signature.text}|${req.text}`, () => textCarriesSignature(req.text, signature.text)))
      codes.push("SIGNATURE_MISSING_IN_TEXT");
  }

  const { match, port } = matchPort(reg, req, signature, mayUse);
  if (!match) codes.push("PORT_NOT_ALLOCATED");
  else if (signature && !match.allocation.signatureIds.includes(signature.id))
    codes.push("PORT_SIGNATURE_MISMATCH");
  if (port && !port.categories.includes(req.category)) codes.push("PORT_CATEGORY");

  const marketing = isMarketing(req.category);
  return {
    request: req,
    codes,
    sender,
    signature,
    port,
    match,
    marketing,
    hasOptOutText: !marketing || memo(`o|${req.text}`, () => textHasOptOutInstruction(req.text)),
    consentTag: s.consents.tagOf(req.senderId, req.category),
    senderTag: s.consents.enterpriseTag(req.senderId),
    categoryTag: s.consents.categoryTag(req.category),
  };
}

const textChecks = new Map<string, boolean>();

/** Text checks repeat for every message of a campaign or template: remember the last few thousand. */
function memo(key: string, check: () => boolean): boolean {
  let v = textChecks.get(key);
  if (v === undefined) {
    v = check();
    if (textChecks.size > 4096) textChecks.clear();
    textChecks.set(key, v);
  }
  return v;
}

/**
 * The allocation a message leaves on: the longest registered prefix of the sending number, which must
 * belong to the sender, or to the signature's owner when the sender is authorized to use it.
 */
function matchPort(
  reg: RegistryIndex,
  req: SendRequest,
  signature: Signature | undefined,
  mayUseSignature: boolean,
): { match: PortMatch | undefined; port: Port | undefined } {
  const byId = req.port.startsWith("prt_") ? reg.ports.get(req.port) : undefined;
  const number = byId ? byId.number : req.port;
  const candidates = reg.matchNumber(number);
  const allowed = (enterpriseId: string) =>
    enterpriseId === req.senderId ||
    (signature !== undefined && mayUseSignature && enterpriseId === signature.ownerId);
  const match = candidates.find((c) => allowed(c.allocation.enterpriseId));
  return { match, port: match?.port ?? candidates[0]?.port ?? reg.portOfNumber(number) };
}

/** A profile with its marketing window in minutes, computed once. */
type ResolvedProfile = PolicyProfile & { window: [number, number] };

/** Profiles per (registry snapshot, policy, sender, date): a registry change starts a fresh cache. */
const profileCache = new WeakMap<RegistryIndex, WeakMap<PolicyFile, Map<string, ResolvedProfile>>>();

let lastProfile: {
  s: PolicyState;
  registry: RegistryIndex;
  policy: PolicyFile;
  p: PreparedSend;
  date: string;
  prof: ResolvedProfile;
} | null = null;

function profileFor(s: PolicyState, p: PreparedSend, date: string): ResolvedProfile {
  // a campaign asks the same question for every recipient
  const l = lastProfile;
  if (
    l !== null &&
    l.p === p &&
    l.date === date &&
    l.s === s &&
    l.registry === s.registry &&
    l.policy === s.policy
  )
    return l.prof;
  const prof = lookupProfile(s, p, date);
  lastProfile = { s, registry: s.registry, policy: s.policy, p, date, prof };
  return prof;
}

function lookupProfile(s: PolicyState, p: PreparedSend, date: string): ResolvedProfile {
  let byPolicy = profileCache.get(s.registry);
  if (!byPolicy) {
    byPolicy = new WeakMap();
    profileCache.set(s.registry, byPolicy);
  }
  let m = byPolicy.get(s.policy);
  if (!m) {
    m = new Map();
    byPolicy.set(s.policy, m);
  }
  const key = `${p.request.senderId}|${date}`;
  let prof = m.get(key);
  if (!prof) {
    const base = effectiveProfile(s.policy, date, s.registry.overrides.get(p.request.senderId));
    prof = { ...base, window: marketingWindow(base) };
    if (m.size > 10_000) m.clear();
    m.set(key, prof);
  }
  return prof;
}

/**
 * Decides one recipient for a prepared request at `at`. With `commit`, an allowed message is counted
 * against the frequency caps. `consents` may be a point-in-time view for audits and dry runs.
 */
export function decideRecipient(
  s: PolicyState,
  p: PreparedSend,
  phoneInput: string,
  at: number,
  commit: boolean,
  consents: ConsentIndex = s.consents,
): RecipientDecision {
  const codes = p.codes.slice();
  const phone = parsePhone(phoneInput);
  if (!phone.ok) {
    codes.push("RECIPIENT_INVALID");
    return { codes, phone };
  }
  const d = phone.digits;
  const category = p.request.category;
  const lt = localTime(phone.timeZone || s.policy.defaultTimeZone, at);
  const prof = profileFor(s, p, lt.date);
  if (p.marketing) {
    if (consents.dndCoversTag(d, p.categoryTag)) codes.push("DND");
    const tag = consents === s.consents ? p.consentTag : consents.tagOf(p.request.senderId, category);
    const packed = consents.packed(d, tag);
    const state = packed & 255;
    const until = Math.floor(packed / 256) * 1000;
    if (state === CONSENT_NONE) codes.push("CONSENT_MISSING");
    else if (state === CONSENT_GRANTED) {
      if (until !== 0 && until <= at) codes.push("CONSENT_EXPIRED");
    } else if (state === CONSENT_PENDING)
      codes.push(until !== 0 && until <= at ? "CONSENT_WITHDRAWN" : "CONSENT_PENDING");
    else codes.push("CONSENT_WITHDRAWN");
    if (prof.requireOptOutText && !p.hasOptOutText) codes.push("OPT_OUT_TEXT_MISSING");
    if (!inWindow(lt.minute, prof.window)) codes.push("QUIET_HOURS");
    if (s.sharedCaps) {
      const cap: CapQuery = {
        kind: "marketing",
        day: lt.day,
        digits: d,
        senderId: p.request.senderId,
        perSender: prof.perSenderPerDay,
        perRecipient: prof.perRecipientPerDay,
      };
      return { codes: sortCodes(codes), phone, cap };
    }
    if (!s.counters.fits(lt.day, d, p.senderTag, prof.perSenderPerDay, prof.perRecipientPerDay))
      codes.push("FREQUENCY_CAP");
    if (commit && codes.length === 0) s.counters.increment(lt.day, d, p.senderTag);
  } else if (category === "verification" && p.signature) {
    if (s.sharedCaps) {
      const v = prof.verification;
      const cap: CapQuery = { kind: "verification", digits: d, signatureId: p.signature.id, ...v };
      return { codes: sortCodes(codes), phone, cap };
    }
    const recent = s.verification.recent(p.signature.id, d, at);
    const within = (ms: number) => recent.filter((t) => t > at - ms).length;
    const v = prof.verification;
    if (within(60_000) >= v.perMinute || within(3_600_000) >= v.perHour || recent.length >= v.perDay)
      codes.push("FREQUENCY_CAP");
    if (commit && codes.length === 0) s.verification.record(p.signature.id, d, at);
  }
  return { codes: sortCodes(codes), phone };
}

/** Codes in order of precedence, without repeats. */
export function sortCodes(codes: ReasonCode[]): ReasonCode[] {
  if (codes.length < 2) return codes;
  return [...new Set(codes)].sort((a, b) => PRECEDENCE[a] - PRECEDENCE[b]);
}

/** Takes back what a committed, allowed decision counted (the message turned out to be a duplicate). */
export function undoCommit(s: PolicyState, p: PreparedSend, d: RecipientDecision, at: number): void {
  if (!d.phone.ok || d.codes.length > 0 || d.cap) return;
  const lt = localTime(d.phone.timeZone || s.policy.defaultTimeZone, at);
  if (p.marketing) s.counters.increment(lt.day, d.phone.digits, p.senderTag, -1);
  else if (p.request.category === "verification" && p.signature)
    s.verification.forget(p.signature.id, d.phone.digits, at);
}
