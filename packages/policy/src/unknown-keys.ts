import { isMap, isScalar, isSeq } from 'yaml';
import { didYouMean } from './did-you-mean.js';

/** The parts of a valibot schema the walk reads. */
interface SchemaShape {
  type: string;
  entries?: Record<string, SchemaShape>;
  wrapped?: SchemaShape;
  options?: SchemaShape[];
  item?: SchemaShape;
  value?: SchemaShape;
}

/**
 * A problem of shape valibot would misreport: an unknown key (where its key
 * node starts, with a suggestion), or a list where a mapping belongs
 * (valibot takes a list for an object with keys "0", "1"…).
 */
export type ShapeProblem =
  | {
      kind: 'unknown-key';
      offset: number;
      path: (string | number)[];
      suggestion: string | undefined;
    }
  | { kind: 'list-for-mapping'; offset: number; path: (string | number)[] };

function unwrap(schema: SchemaShape): SchemaShape {
  let current = schema;
  while (
    current.wrapped !== undefined &&
    (current.type === 'optional' || current.type === 'nullish')
  ) {
    current = current.wrapped;
  }
  return current;
}

function objectOption(schema: SchemaShape): SchemaShape | undefined {
  if (schema.type !== 'union') return schema;
  return schema.options?.map(unwrap).find((option) => option.entries !== undefined);
}

/**
 * Walks the YAML tree along the valibot schema and reports every key of a
 * strict mapping the schema does not know, with a "did you mean" for near
 * misses (valibot reports only the first unknown key of an object, without a
 * suggestion), and every list written where a mapping belongs.
 */
export function findShapeProblems(
  schema: unknown,
  node: unknown,
  path: (string | number)[] = [],
): ShapeProblem[] {
  const found: ShapeProblem[] = [];
  const unwrapped = unwrap(schema as SchemaShape);
  const shape = objectOption(unwrapped);
  if (shape === undefined) return found;
  // A union (a name or a mapping) gets its "got a list" from valibot, naming both forms.
  if (
    unwrapped.type !== 'union' &&
    (shape.entries !== undefined || shape.type === 'record') &&
    isSeq(node)
  ) {
    found.push({ kind: 'list-for-mapping', offset: node.range?.[0] ?? 0, path });
    return found;
  }
  if (shape.entries !== undefined && isMap(node)) {
    const known = Object.keys(shape.entries);
    for (const pair of node.items) {
      if (!isScalar(pair.key) || typeof pair.key.value !== 'string') continue;
      const key = pair.key.value;
      if (Object.hasOwn(shape.entries, key)) {
        found.push(...findShapeProblems(shape.entries[key], pair.value, [...path, key]));
      } else if (shape.type === 'strict_object') {
        found.push({
          kind: 'unknown-key',
          offset: pair.key.range?.[0] ?? 0,
          path: [...path, key],
          suggestion: didYouMean(key, known),
        });
      }
    }
  } else if (shape.type === 'array' && shape.item !== undefined && isSeq(node)) {
    node.items.forEach((item, index) => {
      found.push(...findShapeProblems(shape.item, item, [...path, index]));
    });
  } else if (shape.type === 'record' && shape.value !== undefined && isMap(node)) {
    for (const pair of node.items) {
      if (isScalar(pair.key) && typeof pair.key.value === 'string') {
        found.push(...findShapeProblems(shape.value, pair.value, [...path, pair.key.value]));
      }
    }
  }
  return found;
}
