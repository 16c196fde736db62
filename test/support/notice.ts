// Tests that pay need a list whose 公示 has ended: publish the point's list as a reviewer, and get a
// clock for the first morning after the notice (batches are prepared from then on).
import { fixedClock, type Clock } from '../../src/clock.ts';
import type { Database } from '../../src/db/clients.ts';
import type { StaffActor } from '../../src/identity/permissions.ts';
import { publishNotice, type PublishedNotice } from '../../src/lists/notice-service.ts';
import { createStaff } from './staff.ts';

export async function noticeLapsed(db: Database, clock: Clock, pointId: string, period: string, reviewer?: StaffActor): Promise<{ notice: PublishedNotice; after: ReturnType<typeof fixedClock> }> {
  const notice = await publishNotice(db, clock, { pointId, period, actor: reviewer ?? (await createStaff(db, ['reviewer'])) });
  // 10:00 in China on the day after the last day of the notice.
  const day = new Date(`${notice.endsOn}T02:00:00.000Z`);
  return { notice, after: fixedClock(new Date(day.getTime() + 86_400_000)) };
}
