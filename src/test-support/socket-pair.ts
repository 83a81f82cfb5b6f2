import { once } from "node:events";
import net from "node:net";
import { type SessionOptions, SmppSession } from "../adapters/smpp/session.js";

/**
 * A connected loopback TCP pair: `server` is the accepted socket, `client` the connecting one. Both are
 * destroyed by the function pushed onto `cleanups`.
 */
export async function socketPair(
  cleanups: Array<() => void>,
): Promise<{ server: net.Socket; client: net.Socket }> {
  const listener = net.createServer();
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const { port } = listener.address() as net.AddressInfo;
  const accepted = once(listener, "connection");
  const client = net.connect(port, "127.0.0.1");
  const [[server]] = await Promise.all([accepted, once(client, "connect")]);
  listener.close();
  cleanups.push(() => {
    client.destroy();
    (server as net.Socket).destroy();
  });
  return { server: server as net.Socket, client };
}

/** Two SMPP sessions talking over a loopback pair: `esme` on the connecting end, `smsc` on the accepted one. */
export async function sessionPair(
  cleanups: Array<() => void>,
  a: SessionOptions = {},
  b: SessionOptions = {},
): Promise<{ esme: SmppSession; smsc: SmppSession }> {
  const { server, client } = await socketPair(cleanups);
  const esme = new SmppSession(client, a);
  const smsc = new SmppSession(server, b);
  cleanups.push(() => {
    esme.close("test over");
    smsc.close("test over");
  });
  return { esme, smsc };
}
