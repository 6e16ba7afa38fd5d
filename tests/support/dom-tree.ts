import { DOMParser } from 'linkedom';

/** What the markup counters are checked against: the tree linkedom builds. */
export interface BuiltTree {
  elements: number;
  /** The deepest element's depth, and every element's depth summed. */
  depth: number;
  nesting: number;
}

/** The elements of the tree linkedom builds from `html` (as parseHtml's DOM is built), its depth and nesting. */
export function builtTree(html: string): BuiltTree {
  const built: BuiltTree = { elements: 0, depth: 0, nesting: 0 };
  type Element = { children: Iterable<Element> };
  const walk = (node: Element, depth: number): void => {
    for (const child of node.children) {
      built.elements++;
      built.depth = Math.max(built.depth, depth + 1);
      built.nesting += depth + 1;
      walk(child, depth + 1);
    }
  };
  walk(new DOMParser().parseFromString(html, 'text/html'), 0);
  return built;
}
