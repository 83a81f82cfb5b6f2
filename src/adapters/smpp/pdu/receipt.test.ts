import { describe, expect, it } from "vitest";
import { formatReceipt, parseReceipt } from "./receipt.js";

const submitDate = new Date("2024-03-05T08:09:59Z");
const doneDate = new Date("2024-12-31T23:59:00Z");

describe("formatReceipt", () => {
  it("writes the SMPP 3.4 Appendix B layout, dates on the Shanghai wall clock", () => {
    expect(
      formatReceipt({
        id: "msg_01",
        submitDate,
        doneDate,
        timeZone: "Asia/Shanghai",
        stat: "DELIVRD",
        err: "000",
        text: "Your code is 123456, valid 5 min",
      }),
    ).toBe(
      // 08:09 UTC is 16:09 in Shanghai; 23:59 UTC on New Year's Eve is 07:59 on 1 January there
      "id:msg_01 sub:001 dlvrd:001 submit date:2403051609 done date:2501010759 stat:DELIVRD err:000 text:Your code is 123456,",
    );
  });

  it("writes the dates in whichever zone it is given, summer time included", () => {
    const at = (timeZone: string) =>
      formatReceipt({
        id: "1",
        submitDate,
        doneDate: new Date("2024-07-01T12:30:00Z"),
        timeZone,
        stat: "DELIVRD",
        err: "0",
      });
    expect(at("UTC")).toContain("submit date:2403050809 done date:2407011230 ");
    expect(at("Europe/Berlin")).toContain("submit date:2403050909 done date:2407011430 ");
    expect(at("America/New_York")).toContain("submit date:2403050309 done date:2407010830 ");
  });

  it("defaults dlvrd to 0 for other states, pads err and counts, and allows no text", () => {
    expect(
      formatReceipt({ id: "9", sub: 2, submitDate, doneDate, timeZone: "UTC", stat: "UNDELIV", err: "1" }),
    ).toBe("id:9 sub:002 dlvrd:000 submit date:2403050809 done date:2412312359 stat:UNDELIV err:001 text:");
  });
});

describe("parseReceipt", () => {
  it("reads what formatReceipt writes", () => {
    const text = formatReceipt({
      id: "abc",
      submitDate,
      doneDate,
      timeZone: "Asia/Shanghai",
      stat: "EXPIRED",
      err: "062",
      text: "hi stat:x",
    });
    expect(parseReceipt(text)).toEqual({
      id: "abc",
      sub: "001",
      dlvrd: "000",
      submitDate: "2403051609",
      doneDate: "2501010759",
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
    // dates are kept as written, whatever their zone or length (some carriers add seconds)
    expect(parseReceipt("id:5 submit date:240305160959 done date:2403051610 stat:DELIVRD err:000")).toEqual({
      id: "5",
      submitDate: "240305160959",
      doneDate: "2403051610",
      stat: "DELIVRD",
      err: "000",
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
