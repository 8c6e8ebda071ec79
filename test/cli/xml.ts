/**
 * A minimal, strict XML parser for the tests: elements, attributes, text, entity and character
 * references, comments, CDATA, the declaration. It throws on anything malformed (mismatched or
 * unclosed tags, bad attributes, bare '<' or '&', duplicate attributes), which is the point:
 * the JUnit file must be well-formed for CI tools to read it. No DTDs, no namespaces logic.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME_START = (c: string): boolean => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_' || c === ':' || c > '\u007f';
const NAME_CHAR = (c: string): boolean => NAME_START(c) || (c >= '0' && c <= '9') || c === '-' || c === '.';
const SPACE = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

export function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (what: string): never => {
    const line = src.slice(0, i).split('\n').length;
    throw new Error(`XML: ${what} at line ${line} (offset ${i})`);
  };
  const startsWith = (s: string): boolean => src.startsWith(s, i);
  const skipSpace = (): void => {
    while (i < src.length && SPACE(src[i]!)) i++;
  };
  const name = (): string => {
    if (i >= src.length || !NAME_START(src[i]!)) fail('expected a name');
    const from = i;
    while (i < src.length && NAME_CHAR(src[i]!)) i++;
    return src.slice(from, i);
  };
  const reference = (): string => {
    // at '&'
    const end = src.indexOf(';', i);
    if (end < 0 || end - i > 12) fail('bare "&"');
    const ref = src.slice(i + 1, end);
    i = end + 1;
    if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const v = ENTITIES[ref];
    if (v === undefined) fail(`unknown entity &${ref};`);
    return v!;
  };
  const skipMisc = (): void => {
    for (;;) {
      skipSpace();
      if (startsWith('<!--')) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('unclosed comment');
        i = end + 3;
      } else if (startsWith('<?')) {
        const end = src.indexOf('?>', i + 2);
        if (end < 0) fail('unclosed declaration');
        i = end + 2;
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (src[i] !== '<') fail('expected "<"');
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: '' };
    for (;;) {
      const hadSpace = i < src.length && SPACE(src[i]!);
      skipSpace();
      if (startsWith('/>')) {
        i += 2;
        return el;
      }
      if (src[i] === '>') {
        i++;
        break;
      }
      if (!hadSpace) fail('expected a space before an attribute');
      const key = name();
      if (key in el.attrs) fail(`duplicate attribute ${key}`);
      skipSpace();
      if (src[i] !== '=') fail(`expected "=" after ${key}`);
      i++;
      skipSpace();
      const quote = src[i];
      if (quote !== '"' && quote !== "'") fail('expected a quoted attribute value');
      i++;
      let value = '';
      while (src[i] !== quote) {
        if (i >= src.length) fail('unclosed attribute value');
        if (src[i] === '<') fail('"<" in an attribute value');
        if (src[i] === '&') value += reference();
        else value += src[i++];
      }
      i++;
      el.attrs[key] = value;
    }
    for (;;) {
      if (i >= src.length) fail(`unclosed <${el.name}>`);
      if (startsWith('</')) {
        i += 2;
        const close = name();
        if (close !== el.name) fail(`</${close}> closes <${el.name}>`);
        skipSpace();
        if (src[i] !== '>') fail('expected ">"');
        i++;
        return el;
      }
      if (startsWith('<!--')) {
        const end = src.indexOf('-->', i + 4);
        if (end < 0) fail('unclosed comment');
        i = end + 3;
      } else if (startsWith('<![CDATA[')) {
        const end = src.indexOf(']]>', i + 9);
        if (end < 0) fail('unclosed CDATA');
        el.text += src.slice(i + 9, end);
        i = end + 3;
      } else if (src[i] === '<') el.children.push(element());
      else if (src[i] === '&') el.text += reference();
      else el.text += src[i++];
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== src.length) fail('content after the root element');
  return root;
}

export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}
