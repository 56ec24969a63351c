/**
 * The window: left navigation with the engine's state at its foot, the current screen, one-line notices, the
 * connection banner (serve mode), the help overlay, and the global shortcuts.
 */
import { useEffect, useRef, type ComponentType } from "react";
import { Dialog } from "../../components/Dialog.tsx";
import { Kbd } from "../../components/Panel.tsx";
import { useAppStore, useAppStoreApi } from "../../store/index.ts";
import { HistoryScreen } from "../history/HistoryScreen.tsx";
import { modelsSelectors } from "../models/selectors.ts";
import { ModelsScreen } from "../models/ModelsScreen.tsx";
import { PolicyScreen } from "../policy/PolicyScreen.tsx";
import { ClassifyScreen } from "../results/ClassifyScreen.tsx";
import { DatasetsScreen } from "../datasets/DatasetsScreen.tsx";
import { EvaluationScreen } from "../evaluation/EvaluationScreen.tsx";
import { ItemResultDialog } from "../evaluation/ItemResultDialog.tsx";
import { ReviewScreen } from "../review/ReviewScreen.tsx";
import { RunsScreen } from "../runs/RunsScreen.tsx";
import { EndpointsScreen } from "../endpoints/EndpointsScreen.tsx";
import { appSelectors } from "./selectors.ts";
import { handleShortcut, SCREEN_KEYS, SHORTCUTS, type ShortcutActions } from "./shortcuts.ts";
import { CATEGORY_STRIP_ID } from "../results/CategoryStrip.tsx";
import type { Screen } from "./slice.ts";

const SCREEN_COMPONENTS: Record<Screen, ComponentType> = {
  classify: ClassifyScreen,
  policy: PolicyScreen,
  models: ModelsScreen,
  history: HistoryScreen,
  datasets: DatasetsScreen,
  runs: RunsScreen,
  review: ReviewScreen,
  evaluation: EvaluationScreen,
  endpoints: EndpointsScreen,
};

export function AppShell() {
  const screen = useAppStore(appSelectors.screen);
  const CurrentScreen = SCREEN_COMPONENTS[screen];
  useGlobalShortcuts();
  const main = useRef<HTMLElement>(null);
  // A new screen starts at its top, not wherever the previous one was scrolled to.
  useEffect(() => {
    main.current?.scrollTo?.({ top: 0 });
  }, [screen]);
  return (
    <div className="app">
      <Sidebar />
      <main className="main" ref={main} aria-label={SCREEN_KEYS.find((entry) => entry.screen === screen)?.label}>
        <ConnectionBanner />
        <NoticeBar />
        <CurrentScreen />
      </main>
      <HelpOverlay />
      <ItemResultDialog />
    </div>
  );
}

function useGlobalShortcuts() {
  const store = useAppStoreApi();
  useEffect(() => {
    // The actions read the store when a key is pressed, so the listener is added once.
    const state = () => store.getState();
    const onClassify = (run: () => void) => {
      state().navigate("classify");
      run();
    };
    const actions: ShortcutActions = {
      classify: () => onClassify(() => void state().classify()),
      navigate: (screen) => state().navigate(screen),
      openHelp: () => state().setHelpOpen(true),
      closeOverlays: () => state().closeOverlays(),
      cancelWork() {
        if (state().results.running) void state().cancelClassify();
        else void state().cancelLoad();
      },
      openModelPicker: () => onClassify(() => state().setModelPickerOpen(true)),
      showResultTab: (tab) => onClassify(() => state().setResultTab(tab)),
      toggleAutoClassify: () => state().setAutoClassify(!state().results.autoClassify),
      togglePlainTextRole: () => state().setPlainTextRole(state().conversation.plainTextRole === "user" ? "assistant" : "user"),
      focusCategoryStrip: () => onClassify(() => requestAnimationFrame(() => document.getElementById(CATEGORY_STRIP_ID)?.querySelector<HTMLElement>("input")?.focus())),
    };
    function onKeyDown(event: KeyboardEvent) {
      if (handleShortcut(event, actions)) event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [store]);
}

function Sidebar() {
  const screen = useAppStore(appSelectors.screen);
  const navigate = useAppStore((s) => s.navigate);
  const setHelpOpen = useAppStore((s) => s.setHelpOpen);
  return (
    <aside className="sidebar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        <span className="brand-name">Guardbench</span>
      </div>
      <nav aria-label="Screens">
        <ul className="nav">
          {SCREEN_KEYS.map(({ key, screen: target, label }) => (
            <li key={target}>
              <button type="button" className={`nav-item${screen === target ? " nav-item-current" : ""}`} aria-current={screen === target ? "page" : undefined} onClick={() => navigate(target)}>
                <span>{label}</span>
                <span className="nav-key" aria-hidden="true">
                  Alt+{key}
                </span>
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar-foot">
        <EngineBadge />
        <button type="button" className="button button-quiet button-small" onClick={() => setHelpOpen(true)}>
          Keyboard shortcuts <Kbd>?</Kbd>
        </button>
      </div>
    </aside>
  );
}

function EngineBadge() {
  const state = useAppStore(modelsSelectors.engineState);
  const name = useAppStore(modelsSelectors.loadedModelName);
  const compute = useAppStore(modelsSelectors.computeSummary);
  const navigate = useAppStore((s) => s.navigate);
  const progress = useAppStore(modelsSelectors.loading)?.progress;
  const text = {
    idle: "No model loaded",
    loading: progress === undefined ? "Loading a model…" : `Loading a model… ${Math.round(progress * 100)}%`,
    ready: name ?? "Model ready",
    failed: "Model failed to load",
    crashed: "Engine crashed",
  }[state];
  return (
    <button type="button" className={`engine-badge engine-${state}`} onClick={() => navigate("models")} aria-label={`Engine: ${text}. Open Models`}>
      <span className="engine-dot" aria-hidden="true" />
      <span className="engine-text">
        <span className="engine-name">{text}</span>
        {state === "ready" && compute && <span className="engine-compute">{compute}</span>}
        {state === "idle" && <span className="engine-compute">Load one to classify</span>}
      </span>
    </button>
  );
}

function ConnectionBanner() {
  const connection = useAppStore(appSelectors.connection);
  if (connection.status === "open") return null;
  const text =
    connection.status === "connecting"
      ? "Connecting to Guardbench…"
      : Number.isFinite(connection.retryInMs)
        ? `Not connected: ${connection.reason}. Retrying in ${Math.ceil(connection.retryInMs / 1000)} s.`
        : `Not connected: ${connection.reason}`;
  return (
    <div className={`banner ${connection.status === "closed" ? "banner-error" : ""}`} role="status">
      {text}
    </div>
  );
}

function NoticeBar() {
  const notice = useAppStore(appSelectors.notice);
  const dismiss = useAppStore((s) => s.dismissNotice);
  useEffect(() => {
    if (notice?.kind !== "info") return;
    const timer = setTimeout(dismiss, 6000);
    return () => clearTimeout(timer);
  }, [notice, dismiss]);
  if (!notice) return null;
  return (
    <div className={`notice notice-${notice.kind}`} role={notice.kind === "error" ? "alert" : "status"}>
      <span>
        {notice.message}
        {notice.hint && <span className="notice-hint"> {notice.hint}</span>}
      </span>
      <button type="button" className="button button-quiet button-small" onClick={dismiss} aria-label="Dismiss notice">
        ✕
      </button>
    </div>
  );
}

function HelpOverlay() {
  const open = useAppStore(appSelectors.helpOpen);
  const setHelpOpen = useAppStore((s) => s.setHelpOpen);
  if (!open) return null;
  return (
    <Dialog title="Keyboard shortcuts" onClose={() => setHelpOpen(false)}>
      <table className="table shortcuts">
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.keys}>
              <th scope="row">
                <Kbd>{shortcut.keys}</Kbd>
              </th>
              <td>{shortcut.description}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
