package dev.rlaif.trainer.lock;

import java.nio.file.Path;

/** A trainer stand-in for {@link TrainerLockTest}: takes the lock of a directory in its own process and waits to be killed. */
public final class LockHolder {

    private LockHolder() {
    }

    public static void main(String[] args) throws Exception {
        TrainerLock lock = TrainerLock.acquire(Path.of(args[0]));
        System.out.println("locked " + lock.held());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
