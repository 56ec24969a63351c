/** An error from the main side (or the bridge), shown as the envelope gives it: the message, then what to do. */
import type { ReactNode } from "react";

export interface ErrorLike {
  message: string;
  hint?: string;
  code?: string;
}

export function ErrorMessage({ error, title, id }: { error: ErrorLike; title?: string; id?: string }) {
  return (
    <div className="message message-error" role="alert" id={id}>
      {title && <strong className="message-title">{title}</strong>}
      <p className="message-text">{error.message}</p>
      {error.hint && <p className="message-hint">{error.hint}</p>}
    </div>
  );
}

export function InfoMessage({ children, id }: { children: ReactNode; id?: string }) {
  return (
    <div className="message message-info" id={id}>
      {children}
    </div>
  );
}
