import type { ReactNode } from "react";

/** A titled region of a screen; `actions` sit on the heading's line. */
export function Panel({ title, actions, children, className, headingLevel = 2 }: { title: string; actions?: ReactNode; children: ReactNode; className?: string; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? "h2" : "h3";
  const headingId = `panel-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <section className={`panel ${className ?? ""}`} aria-labelledby={headingId}>
      <header className="panel-header">
        <Heading id={headingId} className="panel-title">
          {title}
        </Heading>
        {actions && <div className="panel-actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}

/** A panel's quiet "Refresh" action: asks the main side for its list again. */
export function RefreshButton({ onRefresh }: { onRefresh(): Promise<void> }) {
  return (
    <button type="button" className="button button-quiet button-small" onClick={() => void onRefresh()}>
      Refresh
    </button>
  );
}

export function ScreenHeader({ title, description, children }: { title: string; description: string; children?: ReactNode }) {
  return (
    <header className="screen-header">
      <div>
        <h1 className="screen-title">{title}</h1>
        <p className="screen-description">{description}</p>
      </div>
      {children && <div className="screen-header-actions">{children}</div>}
    </header>
  );
}

export function Kbd({ children }: { children: ReactNode }) {
  return <kbd className="kbd">{children}</kbd>;
}
