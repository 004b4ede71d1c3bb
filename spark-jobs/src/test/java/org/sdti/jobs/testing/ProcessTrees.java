package org.sdti.jobs.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Killing a process with everything it started, and reading a process's command line (Linux: /proc). */
public final class ProcessTrees {
    private ProcessTrees() {}

    /** The process and its descendants, descendants first (read before killing: orphans lose their parent link). */
    public static List<ProcessHandle> tree(long pid) {
        List<ProcessHandle> out = new ArrayList<>();
        ProcessHandle.of(pid).ifPresent(p -> {
            p.descendants().forEach(out::add);
            out.add(p);
        });
        return out;
    }

    /** SIGKILL to each process of the list; waits up to {@code wait} for them to be gone. */
    public static void killAll(List<ProcessHandle> processes, Duration wait) {
        processes.forEach(ProcessHandle::destroyForcibly);
        long deadline = System.nanoTime() + wait.toNanos();
        for (ProcessHandle p : processes) {
            while (p.isAlive() && System.nanoTime() < deadline) {
                sleep(50);
            }
        }
    }

    /** The processes of the list that still run. */
    public static List<Long> alive(List<ProcessHandle> processes) {
        return processes.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
    }

    /** The command line, arguments separated by spaces; empty once the process is gone. */
    public static Optional<String> commandLine(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            return Optional.of(new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
