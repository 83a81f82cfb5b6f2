import type { preValidationHookHandler } from "fastify";
import type { Services } from "../../../services.js";
import type { HttpMetrics } from "../metrics.js";

/** What every route module needs. */
export interface RouteDeps {
  services: Services;
  metrics: HttpMetrics;
}

/** Lets a route take no body at all (or an empty JSON body) where its schema expects an object. */
export const bodyMayBeAbsent: preValidationHookHandler = (req, _reply, done) => {
  if (req.body === undefined || req.body === null) req.body = {};
  done();
};
