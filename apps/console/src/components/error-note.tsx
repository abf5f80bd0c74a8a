import { BerthApiError } from '../api/berth-api';

/** An API error next to what caused it, with its Berth error code. */
export function ErrorNote(props: { readonly error: unknown }) {
  if (!props.error) return null;
  const code = props.error instanceof BerthApiError ? props.error.code : 'ERROR';
  const message = props.error instanceof Error ? props.error.message : String(props.error);
  return (
    <p className="error" role="alert" data-code={code}>
      <code>{code}</code> {message}
    </p>
  );
}
