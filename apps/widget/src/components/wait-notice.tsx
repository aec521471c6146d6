"use client";

import { useEffect, useState } from "react";

import styles from "./chat.module.css";

/** "Please wait": how many seconds are left before the server takes messages again, counting down. */
export function WaitNotice({ until }: { until: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(1, Math.ceil((until - now) / 1000));
  return (
    <div role="alert" className={styles.error}>
      <p>
        You are sending messages too quickly. You can send again in {seconds} s.
      </p>
    </div>
  );
}
