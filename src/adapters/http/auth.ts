import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { type Actor, ADMIN, type AppContext } from "../../app/context.js";
import { authenticateKey } from "../../app/registry/enterprises.js";
import { HttpError } from "./errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Who is calling: set by the authentication hook; null on public routes. */
    actor: Actor | null;
  }
}

/** Routes anyone may call without a token (the API docs and the health check). */
export function isPublicRoute(url: string | undefined): boolean {
  return (
    url === "/healthz" || url === "/openapi.json" || url === "/docs" || (url?.startsWith("/docs/") ?? false)
  );
}

/**
 * The actor a bearer token names: the admin token (compared in constant time) → admin; a live enterprise
 * API key → that enterprise; anything else → null.
 */
export function actorForToken(ctx: AppContext, adminToken: Buffer, token: string): Actor | null {
  const given = Buffer.from(token, "utf8");
  if (given.length === adminToken.length && timingSafeEqual(given, adminToken)) return ADMIN;
  const enterpriseId = authenticateKey(ctx, token);
  return enterpriseId === null ? null : { kind: "enterprise", enterpriseId };
}

function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1] ?? null;
}

/**
 * Requires `Authorization: Bearer <token>` on every route but the public ones; unknown routes fall
 * through to the 404 handler.
 */
export function installAuth(app: FastifyInstance, ctx: AppContext, adminToken: string): void {
  const admin = Buffer.from(adminToken, "utf8");
  app.decorateRequest("actor", null);
  app.addHook("onRequest", (req, _reply, done) => {
    if (req.is404 || isPublicRoute(req.routeOptions.url)) return done();
    const token = bearerToken(req.headers.authorization);
    if (token === null) return done(new HttpError(401, "UNAUTHORIZED", "missing bearer token"));
    const actor = actorForToken(ctx, admin, token);
    if (actor !== null) {
      req.actor = actor;
      return done();
    }
    // a key made on another node a moment ago: catch up with the registry once, then decide
    if (!ctx.sync) return done(new HttpError(401, "UNAUTHORIZED", "unknown or revoked token"));
    ctx.sync.checkRegistry().then(
      () => {
        req.actor = actorForToken(ctx, admin, token);
        done(req.actor ? undefined : new HttpError(401, "UNAUTHORIZED", "unknown or revoked token"));
      },
      (err: unknown) => done(err as Error),
    );
  });
}

/** The authenticated actor of a request (routes behind authentication only). */
export function actorOf(req: FastifyRequest): Actor {
  if (req.actor === null) throw new HttpError(401, "UNAUTHORIZED", "missing bearer token");
  return req.actor;
}
