import { describe, expect, it } from "vitest";
import { formatReceipt, parseReceipt } from "./receipt.js";

const submitDate = new Date("2024-03-05T08:09:59Z");
const doneDate = new Date("2024-12-31T23:59:00Z");

describe("formatReceipt", () => {
  it("writes the SMPP 3.4 Appendix B layout with UTC dates", () => {
    expect(
      formatReceipt({
        id: "msg_01",
        submitDate,
        doneDate,
        stat: "DELIVRD",
        err: "000",
        text: "Your code is 123456, valid 5 min",
      }),
    ).toBe(
      "id:msg_01 sub:001 dlvrd:001 submit date:2403050809 done date:2412312359 stat:DELIVRD err:000 text:Your code is 123456,",
    );
  });

  it("defaults dlvrd to 0 for other states, pads err and counts, and allows no text", () => {
    expect(formatReceipt({ id: "9", sub: 2, submitDate, doneDate, stat: "UNDELIV", err: "1" })).toBe(
      "id:9 sub:002 dlvrd:000 submit date:2403050809 done date:2412312359 stat:UNDELIV err:001 text:",
    );
  });
});

describe("parseReceipt", () => {
  it("reads what formatReceipt writes", () => {
    const text = formatReceipt({
      id: "abc",
      submitDate,
      doneDate,
      stat: "EXPIRED",
      err: "062",
      text: "hi stat:x",
    });
    expect(parseReceipt(text)).toEqual({
      id: "abc",
      sub: "001",
      dlvrd: "000",
      submitDate: "2403050809",
      doneDate: "2412312359",
      stat: "EXPIRED",
      err: "062",
      text: "hi stat:x",
    });
  });

  it("tolerates key case, underscores, extra space and missing fields", () => {
    expect(parseReceipt("Id:0A1B  Submit_Date:2401010000 Stat:DELIVRD")).toEqual({
      id: "0A1B",
      submitDate: "2401010000",
      stat: "DELIVRD",
      err: "",
    });
    expect(parseReceipt("id: 77 stat: REJECTD err: 1 TEXT:")).toEqual({
      id: "77",
      stat: "REJECTD",
      err: "1",
      text: "",
    });
  });

  it("returns null without id: or stat:", () => {
    expect(parseReceipt("stat:DELIVRD err:000")).toBeNull();
    expect(parseReceipt("id:1 err:000")).toBeNull();
    expect(parseReceipt("id:1 text:stat:DELIVRD")).toBeNull();
    expect(parseReceipt("")).toBeNull();
    expect(parseReceipt("hello world")).toBeNull();
  });
});
