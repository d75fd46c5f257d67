/**
 * A small namespace-aware XML tree on top of fast-xml-parser.
 *
 * fast-xml-parser does not resolve namespaces, and vSphere's event class lives in the `type`
 * attribute of the XML Schema instance namespace, written `xsi:type` by vCenter and
 * `XMLSchema-instance:type` by govmomi's simulator. We keep every `xmlns` declaration in scope
 * while walking the tree and resolve the attribute by namespace URI, never by prefix. The plain
 * `type` attribute of managed object references (`<vm type="VirtualMachine">vm-57</vm>`) has no
 * namespace and stays an ordinary attribute.
 */
import { XMLParser } from 'fast-xml-parser';
import { BridgeError } from '../errors.js';

/** The namespace of `xsi:type`. */
export const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';

/** One XML element with its namespace resolved. */
export interface XmlElement {
  /** Local name, without prefix. */
  readonly name: string;
  /** Namespace URI of the element ('' when none). */
  readonly namespace: string;
  /** Attributes without namespace (e.g. `type` of a managed object reference), by local name. */
  readonly attributes: Readonly<Record<string, string>>;
  /** The local part of `xsi:type` (the vSphere data object class), when present. */
  readonly xsiType: string | undefined;
  /** Child elements, in document order. */
  readonly children: readonly XmlElement[];
  /** Concatenated text content of this element (not of its children). */
  readonly text: string;
}

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
});

/** Parse an XML document into its root element. Throws `BRIDGE_BAD_RESPONSE` when it is not well-formed. */
export function parseXml(xml: string): XmlElement {
  let nodes: OrderedNode[];
  try {
    nodes = parser.parse(xml, true) as OrderedNode[];
  } catch (cause) {
    throw new BridgeError('BRIDGE_BAD_RESPONSE', 'vCenter answered with XML that is not well-formed', {
      cause,
    });
  }
  const roots = convertChildren(nodes, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
  const root = roots[0];
  if (!root) throw new BridgeError('BRIDGE_BAD_RESPONSE', 'vCenter answered with an empty XML document');
  return root;
}

function splitName(qname: string): [prefix: string, local: string] {
  const i = qname.indexOf(':');
  return i < 0 ? ['', qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

function convertChildren(nodes: readonly OrderedNode[], scope: ReadonlyMap<string, string>): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of nodes) {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === undefined || tag === '#text' || tag.startsWith('?') || tag === '#comment') continue;
    const rawAttrs = node[':@'] ?? {};
    // Namespace declarations on this element apply to it and its descendants.
    let inner: Map<string, string> | undefined;
    for (const [name, value] of Object.entries(rawAttrs)) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) {
        inner ??= new Map(scope);
        inner.set(name === 'xmlns' ? '' : name.slice(6), value);
      }
    }
    const ns = inner ?? scope;
    const attributes: Record<string, string> = {};
    let xsiType: string | undefined;
    for (const [name, value] of Object.entries(rawAttrs)) {
      if (name === 'xmlns' || name.startsWith('xmlns:')) continue;
      const [prefix, local] = splitName(name);
      if (prefix === '') {
        attributes[local] = value;
      } else if (ns.get(prefix) === XSI_NAMESPACE && local === 'type') {
        // The value is itself a QName (`vim25:VmPoweredOnEvent` or plain `VmPoweredOnEvent`).
        xsiType = splitName(value)[1];
      }
    }
    const [prefix, local] = splitName(tag);
    const rawChildren = (node[tag] ?? []) as OrderedNode[];
    const text = rawChildren
      .filter((c) => '#text' in c)
      .map((c) => String(c['#text']))
      .join('');
    out.push({
      name: local,
      namespace: ns.get(prefix) ?? '',
      attributes,
      xsiType,
      children: convertChildren(rawChildren, ns),
      text,
    });
  }
  return out;
}

/** The first child element called `name`. */
export function child(el: XmlElement | undefined, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.name === name);
}

/** Every child element called `name`. */
export function childrenNamed(el: XmlElement | undefined, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.name === name) : [];
}

/** The text of the first child called `name`, trimmed; undefined when absent. */
export function childText(el: XmlElement | undefined, name: string): string | undefined {
  const c = child(el, name);
  return c === undefined ? undefined : c.text.trim();
}

/** Follow a path of child names. */
export function path(el: XmlElement | undefined, ...names: string[]): XmlElement | undefined {
  let cur = el;
  for (const n of names) cur = child(cur, n);
  return cur;
}

/** Escape text for an XML element or attribute value. */
export function escapeXml(value: string): string {
  return value.replace(
    /[<>&'"]/g,
    (c) =>
      (({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }) as Record<string, string>)[
        c
      ]!,
  );
}
