import styles from "./chat.module.css";

export type ErrorBannerProps = { message: string; onRetry: (() => void) | null };

/** A failed send or start, said plainly, with a way to try again when trying again can help. */
export function ErrorBanner({ message, onRetry }: ErrorBannerProps) {
  return (
    <div role="alert" className={styles.error}>
      <p>{message}</p>
      {onRetry && (
        <button type="button" className={styles.retry} onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}
