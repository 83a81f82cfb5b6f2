import { z } from "zod";
import { DomainError } from "../shared/domain-error.js";
import { isTimeZone } from "./local-time.js";

const hhmm = z.string().regex(/^([01]\d|2[0-4]):[0-5]\d$/, "time as HH:MM");
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "date as YYYY-MM-DD");

/** The rules that can be tightened per enterprise or per promotion period. */
export const PolicyProfileSchema = z
  .object({
    /** Marketing may be sent only within [start, end) local time of the recipient. */
    marketingHours: z.object({ start: hhmm, end: hhmm }).strict(),
    /** Marketing messages per recipient per sender per calendar day. */
    perSenderPerDay: z.number().int().min(0),
    /** Marketing messages per recipient across all senders per calendar day. */
    perRecipientPerDay: z.number().int().min(0),
    /** Verification codes per signature per recipient. */
    verification: z
      .object({
        perMinute: z.number().int().min(0),
        perHour: z.number().int().min(0),
        perDay: z.number().int().min(0),
      })
      .strict(),
    /** Marketing text must name an opt-out keyword anning honours. */
    requireOptOutText: z.boolean(),
  })
  .strict();

export type PolicyProfile = z.infer<typeof PolicyProfileSchema>;

/** A partial profile: what an enterprise override or a promotion period sets. */
export const PartialProfileSchema = z
  .object({
    marketingHours: PolicyProfileSchema.shape.marketingHours.optional(),
    perSenderPerDay: z.number().int().min(0).optional(),
    perRecipientPerDay: z.number().int().min(0).optional(),
    verification: z
      .object({
        perMinute: z.number().int().min(0).optional(),
        perHour: z.number().int().min(0).optional(),
        perDay: z.number().int().min(0).optional(),
      })
      .strict()
      .optional(),
    requireOptOutText: z.boolean().optional(),
  })
  .strict();

export type PartialProfile = z.infer<typeof PartialProfileSchema>;

/** The built-in profile: what a policy file's `defaults` leaves out. See README "Policy defaults". */
const BUILTIN_PROFILE: PolicyProfile = {
  marketingHours: { start: "08:00", end: "21:00" },
  perSenderPerDay: 1,
  perRecipientPerDay: 5,
  verification: { perMinute: 1, perHour: 5, perDay: 10 },
  requireOptOutText: true,
};

export const PolicyFileSchema = z
  .object({
    version: z.literal(1).default(1),
    /** Extra categories beyond the built-in ones. */
    categories: z.array(z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/)).default([]),
    /** Allowed prefixes of port numbers. */
    portPrefixes: z
      .array(z.string().regex(/^\d{1,10}$/))
      .min(1)
      .default(["106"]),
    /** Fields not given keep the built-in values (BUILTIN_PROFILE). */
    defaults: PartialProfileSchema.default({}).transform(
      (p): PolicyProfile => ({
        ...BUILTIN_PROFILE,
        ...p,
        verification: { ...BUILTIN_PROFILE.verification, ...p.verification },
      }),
    ),
    promotions: z
      .array(
        z.object({ name: z.string().min(1), from: day, to: day, profile: PartialProfileSchema }).strict(),
      )
      .default([]),
    /**
     * The service's time zone: recipients whose number has no better answer, and the dates of SMPP
     * delivery receipts written to senders.
     */
    defaultTimeZone: z
      .string()
      .refine(isTimeZone, { message: "not a time zone (an IANA name such as Asia/Shanghai)" })
      .default("Asia/Shanghai"),
    doubleOptIn: z
      .object({ pendingHours: z.number().positive(), repeatDays: z.number().nonnegative() })
      .strict()
      .default({ pendingHours: 24, repeatDays: 30 }),
    /** Keep consent evidence at least this many months after the consent ends. */
    retentionMonths: z.number().int().min(5).default(5),
    /** Hours an accepted message may wait (e.g. for quiet hours to end) before it is refused. */
    messageValidityHours: z.number().positive().default(24),
    optOutConfirmation: z
      .object({ text: z.string().min(1) })
      .strict()
      .default({ text: "您已成功退订，将不再收到此类营销短信。You are unsubscribed." }),
    /**
     * Messages one sender may submit per second through `POST /v1/messages` (every category; 0: no
     * limit). Over it: 429 RATE_LIMITED, nothing recorded. Shared by every node when Redis is configured.
     */
    senderRatePerSecond: z.number().int().min(0).default(0),
  })
  .strict();

export type PolicyFile = z.infer<typeof PolicyFileSchema>;

/** The built-in policy, used when ANNING_POLICY_FILE is unset. See README "Policy defaults". */
export const DEFAULT_POLICY: PolicyFile = PolicyFileSchema.parse({});

/** Parses and validates a policy document; throws DomainError VALIDATION_FAILED with the path. */
export function parsePolicy(doc: unknown): PolicyFile {
  const r = PolicyFileSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new DomainError("VALIDATION_FAILED", `policy: ${i?.path.join(".") || "(root)"}: ${i?.message}`);
  }
  return r.data;
}
