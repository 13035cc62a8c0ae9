import { valueBytes, valueFromBytes } from '../../bytes';
import { Filter } from '../../ldap/filter';

/** RFC 4512 attribute description: a name or numeric OID, then `;option`s. */
const ATTRIBUTE_DESCRIPTION = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)(?:;[A-Za-z0-9-]+)*$/;
const OID = /^(?:[A-Za-z][A-Za-z0-9-]*|[0-9]+(?:\.[0-9]+)+)$/;
const ATTRIBUTE_CHAR = /[A-Za-z0-9;.-]/;
const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;

/** `position` is the 0-based index into the filter text where the problem was found. */
export class FilterSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`bad filter at ${position}: ${reason}`);
    this.name = 'FilterSyntaxError';
  }
}

/**
 * Parses an RFC 4515 filter string. Like OpenLDAP's tools, it also accepts a filter without its outer
 * parentheses (`uid=alice`) and whitespace between the filters of `&`, `|` and `!`.
 */
export function parseFilterString(text: string): Filter {
  return new FilterParser(text).parseTop();
}

class FilterParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseTop(): Filter {
    this.skipSpaces();
    const filter = this.peek() === '(' ? this.parseFilter() : this.parseComponent();
    this.skipSpaces();
    if (this.pos < this.text.length) this.fail(`unexpected '${this.peek()}' after the end of the filter`);
    return filter;
  }

  private parseFilter(): Filter {
    this.expect('(');
    const filter = this.parseComponent();
    this.expect(')');
    return filter;
  }

  private parseComponent(): Filter {
    switch (this.peek()) {
      case '&':
        this.pos++;
        return { type: 'and', filters: this.parseList() };
      case '|':
        this.pos++;
        return { type: 'or', filters: this.parseList() };
      case '!':
        this.pos++;
        this.skipSpaces();
        return { type: 'not', filter: this.parseFilter() };
      default:
        return this.parseItem();
    }
  }

  /** Zero or more parenthesized filters; an empty list is RFC 4526's absolute true/false. */
  private parseList(): Filter[] {
    const filters: Filter[] = [];
    this.skipSpaces();
    while (this.peek() === '(') {
      filters.push(this.parseFilter());
      this.skipSpaces();
    }
    if (this.pos < this.text.length && this.peek() !== ')') this.fail("expected '(' or ')'");
    return filters;
  }

  private parseItem(): Filter {
    const start = this.pos;
    while (this.pos < this.text.length && ATTRIBUTE_CHAR.test(this.text[this.pos])) this.pos++;
    const attribute = this.text.slice(start, this.pos);
    if (this.peek() === ':') return this.parseExtensible(attribute, start);

    if (attribute === '') {
      this.fail(this.pos < this.text.length ? "expected an attribute description, '&', '|' or '!'" : 'unexpected end of filter');
    }
    const operator = this.readOperator();
    if (!ATTRIBUTE_DESCRIPTION.test(attribute)) this.fail(`invalid attribute description "${attribute}"`, start);

    const valueStart = this.pos;
    const pieces = this.readValue();
    if (operator !== '=') {
      if (pieces.length > 1) this.fail("unescaped '*' in value (write it as \\2a)", this.text.indexOf('*', valueStart));
      const type = operator === '>=' ? 'greaterOrEqual' : operator === '<=' ? 'lessOrEqual' : 'approx';
      return { type, attribute, value: pieces[0] };
    }
    if (pieces.length === 1) return { type: 'equality', attribute, value: pieces[0] };
    if (pieces.length === 2 && pieces[0] === '' && pieces[1] === '') return { type: 'present', attribute };
    return substrings(attribute, pieces);
  }

  private readOperator(): '=' | '>=' | '<=' | '~=' {
    const c = this.peek();
    if (c === '=') {
      this.pos++;
      return '=';
    }
    if ((c === '>' || c === '<' || c === '~') && this.text[this.pos + 1] === '=') {
      this.pos += 2;
      return c === '>' ? '>=' : c === '<' ? '<=' : '~=';
    }
    return this.fail(this.pos < this.text.length ? `unexpected '${c}' in attribute description` : 'unexpected end of filter');
  }

  /** `attr[:dn][:rule]:=value` or `[:dn]:rule:=value`; the parser stands on the first ':'. */
  private parseExtensible(attribute: string, start: number): Filter {
    if (attribute !== '' && !ATTRIBUTE_DESCRIPTION.test(attribute)) {
      this.fail(`invalid attribute description "${attribute}"`, start);
    }
    let dnAttributes = false;
    let matchingRule: string | undefined;
    this.pos++;
    if (this.peek() !== '=') {
      let tokenStart = this.pos;
      let token = this.readToken();
      if (token.toLowerCase() === 'dn') {
        dnAttributes = true;
        this.expect(':');
        tokenStart = this.pos;
        token = this.peek() === '=' ? '' : this.readToken();
      }
      if (token !== '') {
        if (!OID.test(token)) this.fail(`invalid matching rule "${token}"`, tokenStart);
        matchingRule = token;
        this.expect(':');
      }
    }
    this.expect('=');
    if (attribute === '' && matchingRule === undefined) {
      this.fail('extensible match needs an attribute or a matching rule', start);
    }
    const valueStart = this.pos;
    const pieces = this.readValue();
    if (pieces.length > 1) this.fail("unescaped '*' in value (write it as \\2a)", this.text.indexOf('*', valueStart));

    const filter: Filter = { type: 'extensible', value: pieces[0], dnAttributes };
    if (matchingRule !== undefined) filter.matchingRule = matchingRule;
    if (attribute !== '') filter.attribute = attribute;
    return filter;
  }

  private readToken(): string {
    const start = this.pos;
    while (this.pos < this.text.length && /[A-Za-z0-9.-]/.test(this.text[this.pos])) this.pos++;
    return this.text.slice(start, this.pos);
  }

  /** Reads an assertion value up to ')' or the end, split at unescaped '*', with escapes decoded. */
  private readValue(): string[] {
    const pieces: string[] = [];
    let chunks: Buffer[] = []; // only filled once a piece has an escape
    let pieceStart = this.pos;
    let runStart = this.pos;
    const flushRun = (): void => {
      if (this.pos > runStart) chunks.push(valueBytes(this.text.slice(runStart, this.pos)));
    };
    const finishPiece = (): void => {
      if (chunks.length === 0) {
        pieces.push(this.text.slice(pieceStart, this.pos));
        return;
      }
      flushRun();
      // Escaped bytes need not be UTF-8: binary values (a certificate, a photo) are matched by their bytes.
      pieces.push(valueFromBytes(Buffer.concat(chunks)));
      chunks = [];
    };

    while (this.pos < this.text.length) {
      const c = this.text[this.pos];
      if (c === ')') break;
      if (c === '(') this.fail("unescaped '(' in value (write it as \\28)");
      if (c === '\0') this.fail('NUL in value (write it as \\00)');
      if (c === '*') {
        finishPiece();
        this.pos++;
        pieceStart = runStart = this.pos;
      } else if (c === '\\') {
        const hex = this.text.slice(this.pos + 1, this.pos + 3);
        if (!HEX_PAIR.test(hex)) this.fail("bad escape: '\\' must be followed by two hex digits");
        flushRun();
        chunks.push(Buffer.from([parseInt(hex, 16)]));
        this.pos += 3;
        runStart = this.pos;
      } else {
        this.pos++;
      }
    }
    finishPiece();
    return pieces;
  }

  private skipSpaces(): void {
    while (this.peek() === ' ') this.pos++;
  }

  private peek(): string {
    return this.text.charAt(this.pos);
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.pos++;
  }

  private fail(reason: string, position = this.pos): never {
    throw new FilterSyntaxError(reason, position);
  }
}

/** Builds a substrings filter from the pieces between '*'s; empty middle pieces (`a**b`) carry no condition. */
function substrings(attribute: string, pieces: string[]): Filter {
  const initial = pieces[0];
  const final = pieces[pieces.length - 1];
  const filter: Filter = { type: 'substrings', attribute, any: pieces.slice(1, -1).filter((p) => p !== '') };
  if (initial !== '') filter.initial = initial;
  if (final !== '') filter.final = final;
  return filter;
}
