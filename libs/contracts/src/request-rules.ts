import { hostLabelProblems } from '@berth/domain';
import { ValidateBy, type ValidationOptions } from 'class-validator';

const CONTROL_CHARACTER = /\p{Cc}/u;
/** 1–256 characters, no control characters, no leading or trailing blanks: who is recorded on events (also an API token's subject). */
const ACTOR_NAME = /^(?!\s)[^\p{Cc}]{1,256}(?<!\s)$/u;

export function hasControlCharacter(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

export function isActorName(value: unknown): value is string {
  return typeof value === 'string' && ACTOR_NAME.test(value);
}

/** An actor (or an API token subject, which becomes one): see ACTOR_NAME. */
export function IsActorName(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isActorName',
      validator: {
        validate: isActorName,
        defaultMessage: () => '$property must be 1-256 characters without control characters or leading/trailing blanks',
      },
    },
    options,
  );
}

/** Names and references: strings without control characters (a newline in a name is never meant). Non-strings are left to @IsString. */
export function NoControlCharacters(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'noControlCharacters',
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || !hasControlCharacter(value),
        defaultMessage: () => '$property must not contain control characters',
      },
    },
    options,
  );
}

/** Host labels: string → string, keys as in selectors (the domain's hostLabelProblems); the message lists every problem. */
export function IsHostLabels(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isHostLabels',
      validator: {
        validate: (value: unknown) => hostLabelProblems(value).length === 0,
        defaultMessage: (args) => hostLabelProblems(args?.value).join('; '),
      },
    },
    options,
  );
}
