/** The built-in codecs, by name (a plug-in names the one its clients speak: `defineServer(f, { codec })`). */
import type { Codec } from '../../ports/codec.ts';
import { envelopeCodec, envelopeStartAgentCodec } from './envelope.ts';
import { threadlineCodec } from './threadline.ts';

export const codecs = {
  threadline: threadlineCodec,
  envelope: envelopeCodec,
  'envelope-start-agent': envelopeStartAgentCodec,
} as const satisfies Record<string, Codec>;

export type CodecName = keyof typeof codecs;

/** The codec of a name; an unknown name is an error that lists the known ones. */
export function codecNamed(name: string): Codec {
  const codec = Object.hasOwn(codecs, name) ? (codecs as Record<string, Codec>)[name] : undefined;
  if (codec === undefined) throw new Error(`unknown codec "${name}"; the built-in codecs are ${Object.keys(codecs).join(', ')}`);
  return codec;
}

/** A plug-in's codec: a built-in one by name, or the Codec it gave. */
export function codecOf(codec: string | Codec): Codec {
  return typeof codec === 'string' ? codecNamed(codec) : codec;
}
