import { createWriteStream, existsSync, statSync } from "node:fs";
import { ConsentImporter } from "../../app/consent/import-consents.js";
import { ADMIN } from "../../app/context.js";
import type { Services } from "../../services.js";
import { CliError, csvField, readCsv } from "./csv-input.js";
import { progressBar } from "./progress.js";

const REQUIRED = ["phone", "enterpriseId", "category", "method", "capturedAt", "source", "noticeText"];
const OPTIONAL = ["expiresAt"];

/**
 * `anning consents import FILE.csv`: streams the file into the ledger in batches, with a progress bar,
 * writing rejected rows to FILE.rejects.csv (row,code,message). Safe to re-run.
 */
export async function importConsentsCommand(
  services: Services,
  file: string,
): Promise<{ imported: number; skipped: number; rejected: number }> {
  if (!existsSync(file)) throw new CliError(`no such file: ${file}`);
  const rejectsFile = `${file.replace(/\.csv$/i, "")}.rejects.csv`;
  const rejects = createWriteStream(rejectsFile);
  rejects.write("row,code,message\n");
  const importer = new ConsentImporter(services.ctx, ADMIN, (r) =>
    rejects.write(`${r.row},${r.code},${csvField(r.message)}\n`),
  );
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  const bar = progressBar("consents", size);
  let rows = 0;
  try {
    for await (const { row, bytes, record, ragged } of readCsv(file, REQUIRED, OPTIONAL)) {
      rows = row;
      if (row % 5000 === 0) bar.update(bytes, row);
      if (ragged) {
        importer.reject({
          row,
          code: "COLUMN_COUNT",
          message: "the row does not have as many fields as the header",
        });
        continue;
      }
      await importer.add(row, {
        phone: record.phone ?? "",
        enterpriseId: record.enterpriseId ?? "",
        category: record.category ?? "",
        method: record.method ?? "",
        capturedAt: record.capturedAt ?? "",
        source: record.source ?? "",
        noticeText: record.noticeText ?? "",
        ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
      });
    }
  } finally {
    // the rows read before a fault in the file are recorded all the same (a re-run skips them)
    await importer.flush();
    bar.update(size, rows);
    bar.stop();
    await new Promise<void>((resolve) => rejects.end(resolve));
    const t = importer.tally;
    process.stdout.write(
      `imported ${t.imported}, skipped ${t.skipped} (already in force), rejected ${t.rejected}` +
        (t.rejected ? ` (see ${rejectsFile})` : "") +
        "\n",
    );
  }
  return importer.tally;
}
