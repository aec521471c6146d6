import styles from "./empty-page.module.css";

/** A section that is not built yet: its heading and a short word on what will be there. */
export function EmptyPage({ title, children }: { title: string; children: string }) {
  return (
    <>
      <h1 className={styles.title}>{title}</h1>
      <div className={styles.empty}>
        <p>{children}</p>
        <p className={styles.soon}>Nothing to show here yet.</p>
      </div>
    </>
  );
}
