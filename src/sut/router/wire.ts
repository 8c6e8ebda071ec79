/**
 * The router's wire format: threadline's protocol (DESIGN.md §2), or — with the flag
 * `envelopeWire`, the shipped mode — the modelled production system's envelope, so shipped's
 * frames are the real code's frames (src/protocol/envelope.ts cites the shapes).
 */
import { encodeEnvelopeFrame, parseEnvelopeFrame } from '../../protocol/envelope.ts';
import { parseClientFrame, type ParseResult, type ServerFrame } from '../../protocol/threadline.ts';

export interface RouterWire {
  /** The frame's text, or null when the format has no form for it (then nothing is written). */
  encode(frame: ServerFrame): string | null;
  parse(text: string): ParseResult;
}

export const THREADLINE_WIRE: RouterWire = { encode: (frame) => JSON.stringify(frame), parse: parseClientFrame };
export const ENVELOPE_WIRE: RouterWire = { encode: encodeEnvelopeFrame, parse: parseEnvelopeFrame };
