import { createWriteStream } from "node:fs";
import { ADMIN } from "../../app/context.js";
import { checkSendFields, type SendFields } from "../../app/messaging/send-request.js";
import { maskPhone } from "../../domain/phone/phone.js";
import { decideRecipient, prepareSend } from "../../domain/policy/decide.js";
import type { Services } from "../../services.js";
import { readCsv } from "./csv-input.js";

/**
 * `anning campaign check FILE.csv …`: decides a campaign offline against the store, as if it were sent
 * now (recipients repeated in the file meet the caps as they would), records nothing, prints counts by
 * code and writes a results CSV (phone masked, allowed, codes).
 */
export async function campaignCheckCommand(
  services: Services,
  file: string,
  fields: SendFields,
  out: string,
  at?: number,
): Promise<{ total: number; allowed: number; refusedByCode: Record<string, number> }> {
  const { ctx } = services;
  checkSendFields(ctx, ADMIN, fields);
  const when = at ?? ctx.clock.now();
  const prepared = prepareSend(ctx.state, fields, when);
  const results = createWriteStream(out);
  results.write("row,phone,allowed,codes\n");
  let total = 0;
  let allowed = 0;
  const refusedByCode: Record<string, number> = {};
  for await (const { row, record } of readCsv(file, ["phone"])) {
    const phone = record.phone ?? "";
    const d = decideRecipient(ctx.state, prepared, phone, when, true);
    total++;
    if (d.codes.length === 0) allowed++;
    else refusedByCode[d.codes[0] as string] = (refusedByCode[d.codes[0] as string] ?? 0) + 1;
    results.write(`${row},${maskPhone(phone)},${d.codes.length === 0},${d.codes.join(";")}\n`);
  }
  await new Promise<void>((resolve) => results.end(resolve));
  const lines = [`recipients ${total}`, `allowed    ${allowed}`];
  for (const [code, n] of Object.entries(refusedByCode).sort((a, b) => b[1] - a[1]))
    lines.push(`${code.padEnd(26)} ${n}`);
  lines.push(`results written to ${out}`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return { total, allowed, refusedByCode };
}
