/**
 * Reading the report and the chart the way a strict XML parser does, so their structure can be
 * checked without a browser: any warning or error (an unescaped `&` or `<`, an unclosed tag)
 * fails the parse. The report is written as polyglot markup for exactly this reason.
 */
import { DOMParser, onWarningStopParsing, type Document, type Element } from "@xmldom/xmldom";

export function parseXml(text: string): Document {
  return new DOMParser({ onError: onWarningStopParsing }).parseFromString(text, "application/xml");
}

/** Every element named `tag` below `root`, in document order. */
export function elements(root: Document | Element, tag: string): Element[] {
  return Array.from(root.getElementsByTagName(tag));
}

/** The elements named `tag` whose class list holds `className`. */
export function withClass(root: Document | Element, tag: string, className: string): Element[] {
  return elements(root, tag).filter((e) => (e.getAttribute("class") ?? "").split(/\s+/).includes(className));
}

export function text(node: Element): string {
  return node.textContent ?? "";
}

/** The subpaths of an SVG path's `d`: each starts with `M`. */
export function subpaths(d: string): string[] {
  return d.split(/(?=M)/).filter((s) => s !== "");
}

/**
 * The points of one subpath, in absolute coordinates: `M x y` then any of `L x y` (absolute),
 * `l dx dy …` (relative, repeated) and `h dx`. Enough for the paths this project draws.
 */
export function pathPoints(subpath: string): { x: number; y: number }[] {
  const tokens = subpath.match(/[MLlh]|-?\d+(?:\.\d+)?/g) ?? [];
  const points: { x: number; y: number }[] = [];
  let command = "";
  let x = 0;
  let y = 0;
  for (let i = 0; i < tokens.length; ) {
    const token = tokens[i]!;
    if (/^[MLlh]$/.test(token)) {
      command = token;
      i++;
      continue;
    }
    if (command === "h") {
      x += Number(token);
      i += 1;
    } else {
      const a = Number(token);
      const b = Number(tokens[i + 1]);
      if (command === "l") {
        x += a;
        y += b;
      } else {
        x = a;
        y = b;
      }
      i += 2;
    }
    const last = points.at(-1);
    if (!last || last.x !== x || last.y !== y) points.push({ x, y });
  }
  return points;
}

/** The ranking rows as a reader sees them. */
export function reportRows(html: string) {
  const list = withClass(parseXml(html), "ol", "rank")[0]!;
  return elements(list, "li").map((li) => ({
    li,
    rank: text(elements(li, "i")[0]!),
    symbol: text(elements(li, "b")[0]!),
    value: text(withClass(li, "span", "v")[0]!),
    change: text(withClass(li, "span", "d")[0]!),
    marker: text(withClass(li, "span", "z")[0]!),
    zoneClass: li.getAttribute("class") ?? "",
    sparkline: elements(li, "svg")[0]!,
  }));
}

