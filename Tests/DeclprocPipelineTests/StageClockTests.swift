import DeclprocPipeline
import Foundation
import Testing

/// The stage clock charges CPU time, not wall time, to the stage a lap names.
@Suite struct StageClockTests {
    @Test func lapsChargeCPUTimeToTheirStage() {
        let clock = StageClock()
        var x: UInt64 = 1
        // 50 ms of this thread's CPU time, not of the wall clock: with the other tests
        // running beside it, 50 ms of wall time gave the thread as little as 15 ms.
        func threadCPUSeconds() -> Double {
            var now = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
            return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
        }
        let start = threadCPUSeconds()
        while threadCPUSeconds() - start < 0.05 {
            for k in 0..<10_000 { x = x &* 6364136223846793005 &+ UInt64(k) }
        }
        clock.lap(.parse)
        // Sleeping uses no CPU: the next lap is charged (almost) nothing.
        Thread.sleep(forTimeInterval: 0.1)
        clock.lap(.decode)
        #expect(x != 0)
        #expect(clock.times[.parse] >= 0.02, "\(clock.times[.parse])")
        #expect(clock.times[.decode] < 0.02, "\(clock.times[.decode])")
        #expect(clock.times[.write] == 0)
        let sum = clock.times + clock.times
        #expect(sum[.parse] == 2 * clock.times[.parse])
        #expect(Set(clock.times.named.keys) == Set(Stage.allCases.map(\.name)))
    }
}
