package io.coalesce.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which of another instance's writes make a load's result too old to keep. */
class FlightTest {

  @Test
  void aWriteReportedAfterTheReadSupersedesOnlyWhenItIsNewer() {
    Flight flight = new Flight();
    assertThat(flight.read(5)).isFalse();
    assertThat(flight.supersededBy(4)).isFalse(); // late news of a write the read already saw
    assertThat(flight.supersededBy(5)).isFalse();
    assertThat(flight.supersededBy(6)).isTrue();
  }

  @Test
  void aWriteReportedBeforeTheReadAnswersIsComparedWithWhatTheReadReturns() {
    Flight ranAfterTheWrite = new Flight();
    assertThat(ranAfterTheWrite.supersededBy(6)).isFalse();
    assertThat(ranAfterTheWrite.read(6)).isFalse();

    Flight ranBeforeTheWrite = new Flight();
    assertThat(ranBeforeTheWrite.supersededBy(6)).isFalse();
    assertThat(ranBeforeTheWrite.read(5)).isTrue();
    assertThat(ranBeforeTheWrite.isSuperseded()).isTrue();
  }

  @Test
  void aReadThatDidNotAnswerIsOlderThanAnyWrite() {
    Flight failedThenWritten = new Flight();
    failedThenWritten.read(RemoteTier.UNKNOWN_VERSION);
    assertThat(failedThenWritten.supersededBy(1)).isTrue();

    Flight writtenThenFailed = new Flight();
    writtenThenFailed.supersededBy(1);
    assertThat(writtenThenFailed.read(RemoteTier.UNKNOWN_VERSION)).isTrue();
  }

  @Test
  void aWriteOfUnknownVersionAndALocalWriteSupersedeWhateverWasRead() {
    Flight remote = new Flight();
    remote.read(9);
    assertThat(remote.supersededBy(RemoteTier.UNKNOWN_VERSION)).isTrue();

    Flight local = new Flight();
    local.read(9);
    local.supersede();
    assertThat(local.read(10)).as("stays superseded").isTrue();
  }
}
