/**
 * The `user_message_reference` anning puts on every `submit_sm` it sends upstream: 16 bits derived from
 * the message id (FNV-1a). When a hand-over's outcome is unknown (the process died with the submit in
 * flight), an upstream that echoes the reference in its receipt lets the receipt settle the message.
 */
export function userMessageReferenceOf(messageId: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < messageId.length; i++) {
    h ^= messageId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return ((h >>> 16) ^ h) & 0xffff;
}
