/**
 * SMPP addresses to and from anning's forms. A recipient comes as digits with a type of number (TON):
 * TON 1 (international) has no '+' on the wire, so one is put back; anything else is passed as given
 * (the phone parser reads 11-digit national and 86-prefixed numbers). Sending numbers (ports) are digits.
 */
export function recipientFromSmpp(ton: number, addr: string): string {
  const a = addr.trim();
  if (ton === 1 && /^\d+$/.test(a)) return `+${a}`;
  return a;
}

/** A sending number as given in `source_addr` (spaces and dashes dropped). */
export function portFromSmpp(addr: string): string {
  return addr.replace(/[\s-]/g, "");
}

/**
 * A number for the wire: with TON 1, international digits without '+'; otherwise a +86 number in its
 * national 11-digit form and any other number as its digits.
 */
export function recipientToSmpp(ton: number, e164: string): string {
  const digits = e164.replace(/^\+/, "");
  if (ton === 1) return digits;
  if (e164.startsWith("+86") && digits.length === 13) return digits.slice(2);
  return digits;
}
