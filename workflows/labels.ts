/**
 * Labels shared by every object the app writes, and the labels that say what a pod is allowed
 * to talk to. NetworkPolicies select on these, so they are defined once, here.
 */

export const PART_OF = "stock-rsi";

/** The standard `app.kubernetes.io` labels for one component of stock-rsi. */
export function componentLabels(name: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PART_OF,
  };
}

/**
 * A pod carrying this label may open connections to MySQL on 3306: the MySQL NetworkPolicy
 * admits exactly these pods. The pipeline's templates add it to the steps that are given the
 * database (today: persist).
 */
export const MYSQL_CLIENT_LABEL = { "stock-rsi/mysql-client": "true" } as const;

/**
 * A pod carrying this label may read and write the in-cluster artifact store. Argo puts it on
 * every pod of a workflow in the namespace through the template's `podMetadata`.
 */
export const ARTIFACT_CLIENT_LABEL = { "stock-rsi/artifact-client": "true" } as const;
