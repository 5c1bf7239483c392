import type { PackageEdge } from './scan-workspace.js';

/** For each package, the other packages it may depend on. A package not listed may depend on none. */
export type AllowedGraph = Readonly<Record<string, readonly string[]>>;

/**
 * The edges outside the allowed graph, each as `site: from -> to`, sorted. A package missing
 * from the graph is reported once, so a new package has to be placed in it.
 */
export function findViolations(
  edges: readonly PackageEdge[],
  allowed: AllowedGraph,
  packageNames: readonly string[] = [],
): string[] {
  const found = new Set<string>();
  for (const name of packageNames) {
    if (!Object.hasOwn(allowed, name)) found.add(`${name} is not in the allowed graph`);
  }
  for (const edge of edges) {
    const permitted = Object.hasOwn(allowed, edge.from) ? allowed[edge.from] : undefined;
    if (!permitted?.includes(edge.to)) found.add(formatEdge(edge));
  }
  return [...found].sort();
}

/** How a violation is written, in findViolations and in the knownViolations list. */
export function formatEdge(edge: PackageEdge): string {
  return `${edge.site}: ${edge.from} -> ${edge.to}`;
}
