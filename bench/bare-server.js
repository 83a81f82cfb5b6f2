// The baseline for POST /v1/decisions: a bare fastify route with a schema-validated body of the same
// shape and size, answering a constant decision. Run as a child process by http.bench.js.
import Fastify from "fastify";

const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });
const str = { type: "string" };
app.post(
  "/v1/decisions",
  {
    schema: {
      body: {
        type: "object",
        additionalProperties: false,
        required: ["senderId", "signature", "port", "phone", "text", "category"],
        properties: {
          senderId: str,
          signature: str,
          port: str,
          phone: str,
          text: str,
          category: str,
          at: str,
        },
      },
      response: {
        200: {
          type: "object",
          properties: {
            allowed: { type: "boolean" },
            reasons: { type: "array", items: { type: "object", properties: { code: str, message: str } } },
          },
        },
      },
    },
  },
  async () => ({ allowed: true, reasons: [] }),
);
const address = await app.listen({ host: "127.0.0.1", port: Number(process.argv[2] ?? 0) });
process.stdout.write(`listening ${address}\n`);
process.on("SIGTERM", () => app.close().then(() => process.exit(0)));
